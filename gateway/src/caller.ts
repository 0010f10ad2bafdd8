import {
  bearerToken,
  createTokenVerifier,
  InvalidTokenError,
  type Caller,
  type Logger,
  type PublicTokenOptions,
  verifiedTokens,
} from '@waimai/platform';

/** What every GraphQL operation through the gateway knows: who is calling (null: anonymous). */
export interface GatewayContext {
  caller: Caller;
  /** The client's address (behind TRUST_PROXY_HOPS proxies), the key of anonymous budgets. */
  clientIp: string;
  /** Sent over HTTP, sent on a websocket, or run to resolve a subscription's event. */
  origin: 'http' | 'socket' | 'event';
}

/**
 * Turns an `Authorization` value (HTTP header or graphql-ws `connection_init` payload) into
 * the caller. No token, a bad signature or an expired token make the caller anonymous:
 * public operations still work, and the subgraphs answer UNAUTHENTICATED to the rest.
 */
export function createCallerResolver(options: PublicTokenOptions, logger: Logger) {
  // A client sends its one token with every request until it expires: its signature and claims
  // are checked the first time and remembered until its exp (docs/performance/batches.md).
  const verify = createTokenVerifier(options);
  const verifyToken = verifiedTokens(async (token: string) => {
    const identity = await verify(token);
    return { value: identity, expiresAt: (identity.exp ?? 0) * 1000 };
  });
  const log = logger.child({ component: 'auth' });

  return {
    /** The caller, or null when there is no token or it is not valid. */
    async callerFrom(authorization: string | undefined | null): Promise<Caller> {
      const token = bearerToken(authorization);
      if (!token) return null;
      try {
        return await verifyToken(token);
      } catch (err) {
        if (!(err instanceof InvalidTokenError)) throw err;
        log.debug({ reason: err.message }, 'A request carried an invalid token; treating it as anonymous.');
        return null;
      }
    },
    /** For sockets, which must be refused (4403) rather than downgraded. */
    verifyToken,
  };
}
export type CallerResolver = ReturnType<typeof createCallerResolver>;

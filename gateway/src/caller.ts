import {
  bearerToken,
  createInternalSigner,
  createTokenVerifier,
  InvalidTokenError,
  type Caller,
  type Logger,
  type PublicTokenOptions,
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
  const verifyToken = createTokenVerifier(options);
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

interface CachedIdentity {
  token: Promise<string>;
  expiresAt: number;
}

// 10 000 callers: a few MB at most; the least recently signed are dropped first.
const MAX_CACHED_IDENTITIES = 10_000;

/**
 * Signs the identity forwarded to subgraphs (`x-waimai-identity`), reusing one caller's
 * signed token for `cacheSeconds` so that signing stays off the hot path. The token lives
 * 60 s, so a cached one always has at least 60 - cacheSeconds left when it is sent.
 */
export function createIdentityForwarder(internalSecret: string, cacheSeconds: number) {
  const signer = createInternalSigner(internalSecret);
  const cache = new Map<string, CachedIdentity>();

  return async function forwardedIdentity(caller: Caller): Promise<string> {
    if (cacheSeconds === 0) return signer.signCaller(caller);
    const key = caller ? `${caller.sub}\u0000${[...caller.roles].sort().join(',')}` : '';
    const now = Date.now();
    const cached = cache.get(key);
    if (cached && cached.expiresAt > now) return cached.token;

    const token = signer.signCaller(caller);
    cache.delete(key);
    if (cache.size >= MAX_CACHED_IDENTITIES) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(key, { token, expiresAt: now + cacheSeconds * 1000 });
    token.catch(() => cache.delete(key));
    return token;
  };
}
export type IdentityForwarder = ReturnType<typeof createIdentityForwarder>;

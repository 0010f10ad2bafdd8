import { createRemoteJWKSet, jwtVerify, SignJWT, decodeProtectedHeader, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { ForbiddenError, UnauthenticatedError } from './errors';

export const Roles = ['CUSTOMER', 'MERCHANT', 'RIDER', 'OPERATOR', 'ADMIN'] as const;
export type Role = (typeof Roles)[number];

/** Who is calling: the token's subject and roles. `null` is an anonymous caller. */
export interface Identity {
  sub: string;
  roles: Role[];
  /** Unix seconds at which the client's token expires. */
  exp?: number;
}
export type Caller = Identity | null;

const claimsSchema = z.object({
  sub: z.string().min(1).max(128),
  roles: z.array(z.enum(Roles)).default([]),
  exp: z.number().optional(),
});

/** A client token: `exp` is required (the contract), so a leaked token cannot live forever. */
const clientClaimsSchema = claimsSchema.extend({ exp: z.number(), iat: z.number().optional() });

export function hasRole(caller: Caller, ...roles: Role[]): boolean {
  return caller !== null && caller.roles.some((role) => roles.includes(role));
}

/** OPERATOR and ADMIN may see and step into anything. */
export function isStaff(caller: Caller): boolean {
  return hasRole(caller, 'OPERATOR', 'ADMIN');
}

/** The caller, who must hold one of `roles`; UNAUTHENTICATED or FORBIDDEN otherwise. */
export function requireRole(caller: Caller, ...roles: Role[]): Identity {
  if (caller === null) throw new UnauthenticatedError();
  if (!hasRole(caller, ...roles)) {
    throw new ForbiddenError(`This operation needs one of the roles ${roles.join(', ')}.`);
  }
  return caller;
}

export interface PublicTokenOptions {
  JWT_SECRET: string;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  /** The longest a client token may live: `exp - iat`, and `exp` from now. */
  JWT_MAX_LIFETIME_SECONDS?: number | undefined;
}

export class InvalidTokenError extends Error {}

/**
 * Verifies client tokens: HS256 with JWT_SECRET (development), and RS256/ES256 keys from
 * JWT_JWKS_URL when configured (production).
 */
export function createTokenVerifier(options: PublicTokenOptions) {
  const secret = new TextEncoder().encode(options.JWT_SECRET);
  const jwks = options.JWT_JWKS_URL ? createRemoteJWKSet(new URL(options.JWT_JWKS_URL)) : undefined;
  const verifyOptions = {
    requiredClaims: ['exp'],
    ...(options.JWT_ISSUER ? { issuer: options.JWT_ISSUER } : {}),
    ...(options.JWT_AUDIENCE ? { audience: options.JWT_AUDIENCE } : {}),
  };
  const maxLifetime = options.JWT_MAX_LIFETIME_SECONDS;

  return async function verifyToken(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === 'HS256') {
        ({ payload } = await jwtVerify(token, secret, { ...verifyOptions, algorithms: ['HS256'] }));
      } else if (jwks) {
        ({ payload } = await jwtVerify(token, jwks, { ...verifyOptions, algorithms: ['RS256', 'ES256'] }));
      } else {
        throw new InvalidTokenError(`Tokens signed with ${alg ?? 'no algorithm'} are not accepted.`);
      }
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      throw new InvalidTokenError((err as Error).message);
    }
    const claims = clientClaimsSchema.safeParse(payload);
    if (!claims.success) throw new InvalidTokenError('The token lacks a valid sub, roles or exp claim.');
    const { exp, iat, sub, roles } = claims.data;
    if (maxLifetime !== undefined) {
      const lifetime = Math.max(exp - (iat ?? exp), exp - Math.floor(Date.now() / 1000));
      if (lifetime > maxLifetime) throw new InvalidTokenError(`The token lives ${lifetime} s; at most ${maxLifetime} s are accepted.`);
    }
    return { sub, roles, exp };
  };
}

/** Reads `Bearer <token>` out of an Authorization value. */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

export async function mintToken(
  secret: string,
  identity: { sub: string; roles: readonly Role[] },
  expiresIn: string | number = '12h',
): Promise<string> {
  return new SignJWT({ roles: [...identity.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(identity.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/**
 * The identity the gateway forwards to subgraphs: a short-lived HS256 token signed with
 * INTERNAL_SECRET, in the `x-waimai-identity` header. Subgraphs refuse requests without
 * one, so a caller who reaches a subgraph directly cannot claim any identity.
 */
export const IDENTITY_HEADER = 'x-waimai-identity';
const GATEWAY_ISSUER = 'waimai-gateway';
const SUBGRAPH_AUDIENCE = 'waimai-subgraphs';
const SERVICE_AUDIENCE = 'waimai-internal';
const ANONYMOUS_SUB = '~anonymous';

export function createInternalSigner(internalSecret: string) {
  const key = new TextEncoder().encode(internalSecret);

  async function sign(sub: string, roles: readonly string[], issuer: string, audience: string, ttlSeconds: number) {
    return new SignJWT({ roles: [...roles] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(key);
  }

  async function verify(token: string, audience: string) {
    const { payload } = await jwtVerify(token, key, { audience, algorithms: ['HS256'] });
    return payload;
  }

  async function verifyForwarded(token: string): Promise<{ caller: Caller; expiresAt: number }> {
    const payload = await verify(token, SUBGRAPH_AUDIENCE);
    if (payload.iss !== GATEWAY_ISSUER) throw new InvalidTokenError('Not issued by the gateway.');
    // Signed with exp always (signCaller); one without would be refused by the cache's callers anyway.
    const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
    if (payload.sub === ANONYMOUS_SUB) return { caller: null, expiresAt };
    const claims = claimsSchema.parse(payload);
    return { caller: { sub: claims.sub, roles: claims.roles }, expiresAt };
  }

  async function verifyServiceToken(token: string): Promise<{ service: string; expiresAt: number }> {
    const payload = await verify(token, SERVICE_AUDIENCE);
    if (!payload.sub) throw new InvalidTokenError('No service name.');
    return { service: payload.sub, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : 0 };
  }

  return {
    /** 60 s: one request's life, including the gateway's retries. */
    signCaller: (caller: Caller) =>
      sign(caller?.sub ?? ANONYMOUS_SUB, caller?.roles ?? [], GATEWAY_ISSUER, SUBGRAPH_AUDIENCE, 60),

    async verifyCaller(token: string): Promise<Caller> {
      return (await verifyForwarded(token)).caller;
    },

    /** verifyCaller, with the unix ms at which the token expires (its `exp`). */
    verifyForwarded,

    /** Service-to-service calls (e.g. orders → products stock API). */
    signService: (service: string) => sign(service, [], service, SERVICE_AUDIENCE, 60),

    async verifyService(token: string): Promise<string> {
      return (await verifyServiceToken(token)).service;
    },

    /** verifyService, with the unix ms at which the token expires (its `exp`). */
    verifyServiceToken,
  };
}
export type InternalSigner = ReturnType<typeof createInternalSigner>;

// 10 000 callers: a few MB at most; the least recently used are dropped first.
const MAX_CACHED_IDENTITIES = 10_000;

/**
 * Tokens signed once per key and reused for `reuseMs` instead of signed for every call (`sign`
 * runs only when the key has none); a signing that fails is not kept. At most `maxEntries`
 * keys, the least recently used dropped.
 */
function reusedTokens(reuseMs: number, maxEntries = MAX_CACHED_IDENTITIES): (key: string, sign: () => Promise<string>) => Promise<string> {
  const signed = new LRUCache<string, { token: Promise<string>; until: number }>({ max: maxEntries });
  return (key, sign) => {
    const now = Date.now();
    const known = signed.get(key);
    if (known && known.until > now) return known.token;
    const entry = { token: sign(), until: now + reuseMs };
    signed.set(key, entry);
    entry.token.catch(() => {
      if (signed.peek(key) === entry) signed.delete(key);
    });
    return entry.token;
  };
}

/**
 * Signs the identity forwarded to subgraphs (`x-waimai-identity`), reusing one caller's
 * signed token for `cacheSeconds` so that signing stays off the hot path. The token lives
 * 60 s, so a cached one always has at least 60 - cacheSeconds left when it is sent.
 */
export function createIdentityForwarder(internalSecret: string, cacheSeconds: number) {
  const signer = createInternalSigner(internalSecret);
  const tokenOf = reusedTokens(cacheSeconds * 1000);

  return async function forwardedIdentity(caller: Caller): Promise<string> {
    if (cacheSeconds === 0) return signer.signCaller(caller);
    const key = caller ? `${caller.sub}\u0000${[...caller.roles].sort().join(',')}` : '';
    return tokenOf(key, () => signer.signCaller(caller));
  };
}
export type IdentityForwarder = ReturnType<typeof createIdentityForwarder>;

// 10 000 tokens: the gateway reuses one per caller for IDENTITY_CACHE_SECONDS, so this covers
// 10 000 callers active at once per gateway replica; a few MB at most.
const MAX_VERIFIED_TOKENS = 10_000;

/**
 * `verify` with a memory of the tokens it accepted, each until its own expiry (`expiresAt`,
 * unix ms): a token sent again is answered from memory instead of checking its signature again.
 * Keyed by the whole token, so a token that differs in one byte is verified anew. Refusals
 * are never remembered, and an expired token is verified again, and refused, exactly as without
 * the memory. The least recently used tokens are dropped beyond `maxEntries`.
 *
 * What it gives up: a signing key taken out of service (a JWKS rotation, INTERNAL_SECRET
 * changed on a running process) no longer refuses the tokens already accepted under it before
 * they expire. Those tokens were valid until then anyway: nothing revokes a token early.
 */
export function verifiedTokens<T>(verify: (token: string) => Promise<{ value: T; expiresAt: number }>, maxEntries = MAX_VERIFIED_TOKENS) {
  // Boxed: a verified value may be null (the anonymous caller), which lru-cache does not store.
  const verified = new LRUCache<string, { value: T }>({ max: maxEntries });
  return async function verifyToken(token: string): Promise<T> {
    const known = verified.get(token);
    if (known) return known.value;
    const { value, expiresAt } = await verify(token);
    const ttl = expiresAt - Date.now();
    if (ttl > 0) verified.set(token, { value }, { ttl });
    return value;
  };
}

/**
 * verifyCaller with a memory of the tokens it accepted (`verifiedTokens`): the gateway sends one
 * caller the same signed token for IDENTITY_CACHE_SECONDS, so a subgraph checks its HMAC once
 * instead of on every request.
 */
export function verifiedCallers(signer: Pick<InternalSigner, 'verifyForwarded'>, maxEntries = MAX_VERIFIED_TOKENS) {
  return verifiedTokens(async (token) => {
    const { caller, expiresAt } = await signer.verifyForwarded(token);
    return { value: caller, expiresAt };
  }, maxEntries);
}

/** verifyService with a memory of the service tokens it accepted (`verifiedTokens`); callers reuse theirs (`reusedServiceToken`). */
export function verifiedServices(signer: Pick<InternalSigner, 'verifyServiceToken'>, maxEntries = MAX_VERIFIED_TOKENS) {
  return verifiedTokens(async (token) => {
    const { service, expiresAt } = await signer.verifyServiceToken(token);
    return { value: service, expiresAt };
  }, maxEntries);
}

// A service token lives 60 s (signService); reused for half of that, one sent always has 30 s
// left, more than any internal call's budget, retries included.
const SERVICE_TOKEN_REUSE_MS = 30_000;

/** The calling service's token for internal calls, signed once and reused for 30 s (`reusedTokens`). */
export function reusedServiceToken(signer: Pick<InternalSigner, 'signService'>, service: string): () => Promise<string> {
  const tokenOf = reusedTokens(SERVICE_TOKEN_REUSE_MS, 1);
  return () => tokenOf(service, () => signer.signService(service));
}

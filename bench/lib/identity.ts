import { createInternalSigner, type Caller } from '@waimai/platform';

// 30 s: the gateway's IDENTITY_CACHE_SECONDS default; the signed token lives 60 s.
export const IDENTITY_CACHE_SECONDS = 30;
// 10,000 callers at most, the least recently signed dropped first: as the gateway's cache.
const MAX_CACHED = 10_000;

/**
 * The `x-waimai-identity` value the gateway forwards to subgraphs for `caller`, signed with
 * the platform's createInternalSigner and reused for `cacheSeconds`, exactly as the gateway's
 * createIdentityForwarder does (gateway/src/caller.ts): used by the scenarios that call a
 * subgraph straight, and by the Hive Gateway peer, so that all three sides sign alike.
 */
export function identityForwarder(internalSecret: string, cacheSeconds = IDENTITY_CACHE_SECONDS) {
  const signer = createInternalSigner(internalSecret);
  const cache = new Map<string, { token: Promise<string>; expiresAt: number }>();
  return function forwardedIdentity(caller: Caller): Promise<string> {
    const key = caller ? `${caller.sub}\u0000${[...caller.roles].sort().join(',')}` : '';
    const now = Date.now();
    const cached = cache.get(key);
    if (cached && cached.expiresAt > now) return cached.token;
    const token = signer.signCaller(caller);
    cache.delete(key);
    if (cache.size >= MAX_CACHED) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(key, { token, expiresAt: now + cacheSeconds * 1000 });
    token.catch(() => cache.delete(key));
    return token;
  };
}

import { createIdentityForwarder } from '@waimai/platform';

// 30 s: the gateway's IDENTITY_CACHE_SECONDS default; the signed token lives 60 s.
export const IDENTITY_CACHE_SECONDS = 30;

/**
 * The `x-waimai-identity` value the gateway forwards to subgraphs for a caller: the gateway's own
 * forwarder (platform createIdentityForwarder), signed and cached as the gateway does. Used by the
 * scenarios that call a subgraph straight, and by the Hive Gateway peer, so that all three sides
 * sign alike.
 */
export function identityForwarder(internalSecret: string, cacheSeconds = IDENTITY_CACHE_SECONDS) {
  return createIdentityForwarder(internalSecret, cacheSeconds);
}

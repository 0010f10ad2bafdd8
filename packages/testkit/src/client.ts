import { randomBytes } from 'node:crypto';
import { authConfig, mintToken, parseConfig, type Role } from '@waimai/platform';
import type { GraphQLResponse } from './subgraph-client';

export type { GraphQLResponse };

/**
 * Sends one GraphQL operation over HTTP exactly as a client does (`Authorization: Bearer`
 * when a token is given) and returns the body with the HTTP status.
 */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string | null,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: Omit<GraphQLResponse<T>, 'status'>;
  try {
    body = JSON.parse(text) as Omit<GraphQLResponse<T>, 'status'>;
  } catch {
    throw new Error(`${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  return { status: response.status, ...body };
}

/** A client token for `sub` with `roles`, signed with this run's JWT_SECRET. */
export function tokenFor(sub: string, roles: readonly Role[], expiresIn: string | number = '1h'): Promise<string> {
  const { JWT_SECRET } = parseConfig(authConfig, process.env);
  return mintToken(JWT_SECRET, { sub, roles }, expiresIn);
}

/** An id no other test (of this run or another) uses, e.g. `uniqueId('rider')`. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

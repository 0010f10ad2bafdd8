import { createInternalSigner, IDENTITY_HEADER, type Caller } from '@waimai/platform';

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; [key: string]: unknown } }>;
}

/**
 * Calls a subgraph directly, as the gateway does: with an identity signed by INTERNAL_SECRET.
 * For subgraph-level tests (the real schema in-process, real MySQL/Redis/Kafka).
 */
export function subgraphCaller(baseUrl: string, internalSecret: string) {
  const signer = createInternalSigner(internalSecret);
  return async function call<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    caller: Caller = null,
  ): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: await signer.signCaller(caller) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
    return { status: response.status, ...body };
  };
}

/** Calls a service's internal HTTP API with a service token. */
export function serviceCaller(baseUrl: string, internalSecret: string, service: string) {
  const signer = createInternalSigner(internalSecret);
  return async function post<T = Record<string, unknown>>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.signService(service)}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
}

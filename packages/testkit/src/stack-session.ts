import { gql } from './client';
import { eventually } from './eventually';
import type { Actor } from './seed-kit';
import { subscribe, type GraphQLSubscription } from './socket';
import type { Stack } from './stack';

/**
 * What an end-to-end test does on a stack as several people at once: operations through the
 * gateway as one of them, subscriptions it follows (closed together by `close`), and the wait
 * until the gateway routes a subscription's events. `stack` is read when used (beforeAll sets it).
 */
export function stackSession(stack: () => Stack) {
  const open: Array<GraphQLSubscription<unknown>> = [];
  return {
    /** One operation through the gateway as `caller`; its data, or a failure naming the errors. */
    async call<T>(query: string, variables: Record<string, unknown>, caller: Actor): Promise<T> {
      const result = await gql<T>(stack().graphqlUrl, query, variables, caller.token);
      if (!result.data || result.errors?.length) throw new Error(`The call failed: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    following<T>(token: string, query: string, variables: Record<string, unknown> = {}): GraphQLSubscription<T> {
      const subscription = subscribe<T>(stack().wsUrl, token, query, variables);
      open.push(subscription as GraphQLSubscription<unknown>);
      return subscription;
    },
    /** Until the gateway routes `field`'s events to the subscriber key `key` (the subscription is live). */
    listening(field: string, key: string) {
      return eventually(() => stack().gateway.events.listeners(field, key) >= 1, { timeoutMs: 10_000, what: `a ${field} subscriber on ${key}` });
    },
    async close(): Promise<void> {
      await Promise.all(open.map((subscription) => subscription.close()));
    },
  };
}

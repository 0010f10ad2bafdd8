import { sql } from 'drizzle-orm';
import {
  connectDatabase,
  createKafkaEventBus,
  createLogger,
  topicOf,
  type CatalogEvent,
  type Role,
} from '@waimai/platform';
import { eventually, gql, startStack, testInfraConfig, tokenFor, type GraphQLResponse } from '@waimai/testkit';
import { operationsSchema } from '../src/db/schema';

/**
 * The operations subgraph behind the gateway, on a stack of its own (own database and
 * topics, so no other test's events reach its consumers). Tests publish crafted events to
 * the stack's topics as the other services would, and read the figures through the gateway.
 */
export async function startOperations() {
  const stack = await startStack({ subgraphs: ['operations'] });
  const infra = testInfraConfig(stack.env as NodeJS.ProcessEnv);
  const logger = createLogger('operations-test', infra.LOG_LEVEL);
  const bus = createKafkaEventBus(infra, 'operations-test', logger);
  const database = connectDatabase(infra, 'operations', operationsSchema);
  const published = new Set<string>();

  return {
    stack,
    db: database.primary,

    /** Publishes each event to its topic, in the order given (one topic's events keep it per key). */
    async publish(...events: CatalogEvent[]) {
      for (const event of events) {
        published.add(event.id);
        await bus.publish(topicOf(event), [event]);
      }
    },

    /** Waits until the consumers applied every distinct event published so far. */
    async applied() {
      await eventually(
        async () => {
          const [rows] = (await database.primary.execute(sql`SELECT COUNT(*) AS n FROM processed_events`)) as unknown as [Array<{ n: number }>];
          return Number(rows[0]?.n) === published.size;
        },
        { timeoutMs: 30_000, what: `the consumers applying ${published.size} events` },
      );
    },

    /** Sends an operation through the gateway as a user with `roles` (null: no token). */
    async as<T>(roles: readonly Role[] | null, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
      const token = roles === null ? null : await tokenFor(`staff-${roles.join('-').toLowerCase()}`, roles);
      return gql<T>(stack.graphqlUrl, query, variables, token);
    },

    async stop() {
      await bus.close();
      await database.close();
      await stack.stop();
    },
  };
}
export type OperationsHarness = Awaited<ReturnType<typeof startOperations>>;

/** The codes of a response's errors, for refusals. */
export const codesOf = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((error) => error.extensions?.code);

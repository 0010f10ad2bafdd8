import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Counter, Gauge, Histogram } from 'prom-client';
import { Kind, parse } from 'graphql';
import type { Redis as SingleRedis } from 'ioredis';
import type { Consumer } from 'kafkajs';
import type { Redis } from './redis';
import { ErrorCode, REQUEST_ERROR_CODES } from './errors';
import type { EventEnvelope } from './events';

/**
 * The Prometheus series of every waimai process, in prom-client's process-wide registry that
 * the admin port's /metrics serves. Every label takes values from a closed list (the
 * contract's operation names, the registry's services, the catalog's statuses), so no client
 * input can grow the number of series. deploy/grafana and deploy/prometheus query these
 * names; tests/observability checks that each one they query is exported.
 */

/** Where an operation name that is not in the contract is counted. */
export const OTHER_OPERATION = 'other';

const CONTRACT_OPERATIONS_PATH = path.resolve(__dirname, '..', '..', '..', 'schema', 'contract', 'operations.graphql');

let contractNames: ReadonlySet<string> | undefined;

/** The operation names of schema/contract/operations.graphql, read once; none when the file is absent. */
export function contractOperationNames(): ReadonlySet<string> {
  if (!contractNames) {
    let source: string | undefined;
    try {
      source = readFileSync(CONTRACT_OPERATIONS_PATH, 'utf8');
    } catch {
      // An image without the contract still counts every operation, under `other`.
      source = undefined;
    }
    contractNames = new Set(
      source
        ? parse(source).definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : []))
        : [],
    );
  }
  return contractNames;
}

/**
 * The `operation` label of a request: its name when the contract has it, else `other`. The
 * gateway names a subgraph's part of a plan `<Operation>__<subgraph>__<n>`, so a subgraph
 * counts its share under the client's operation name.
 */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return OTHER_OPERATION;
  const clientName = name.split('__')[0] ?? name;
  return contractOperationNames().has(clientName) ? clientName : OTHER_OPERATION;
}

const KNOWN_ERROR_CODES = new Set<string>([...Object.values(ErrorCode), ...REQUEST_ERROR_CODES]);

/**
 * The `code` label of an error: a contract code, INTERNAL_SERVER_ERROR for an error without
 * one (the client sees it masked as that), or OTHER.
 */
export function errorCodeLabel(code: unknown): string {
  if (code === undefined || code === null) return ErrorCode.INTERNAL_SERVER_ERROR;
  return typeof code === 'string' && KNOWN_ERROR_CODES.has(code) ? code : 'OTHER';
}

// 2 ms … 5 s: subgraph operations take milliseconds; the contract's p99 target is 300 ms.
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5];

export const operationMetrics = {
  duration: new Histogram({
    name: 'waimai_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration in seconds, by service and contract operation name (other for names not in the contract).',
    labelNames: ['service', 'operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
  }),
  errors: new Counter({
    name: 'waimai_graphql_operation_errors_total',
    help: 'Errors in GraphQL responses, by service, contract operation name and error code (OTHER for codes outside the contract).',
    labelNames: ['service', 'operation', 'code'] as const,
  }),
};

/** Seen from the gateway: each request to a subgraph of a query plan, from send to parsed answer. */
export const subgraphFetchDuration = new Histogram({
  name: 'waimai_gateway_subgraph_fetch_duration_seconds',
  help: 'Duration of the gateway\'s requests to subgraphs in seconds, by subgraph, contract operation name and outcome (ok, error: the answer carried errors, failed: no answer).',
  labelNames: ['subgraph', 'operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

/** A gauge whose value is read when Prometheus scrapes, from every source registered under a key. */
function sampledGauge<L extends string>(config: { name: string; help: string; labelNames: readonly L[] }) {
  type Labels = Partial<Record<L, string | number>>;
  type Sample = () => Promise<Array<{ labels: Labels; value: number }>> | Array<{ labels: Labels; value: number }>;
  const sources = new Map<string, Sample>();
  const gauge: Gauge<L> = new Gauge<L>({
    ...config,
    async collect() {
      const results = await Promise.all(
        [...sources.values()].map(async (sample) => {
          try {
            // 1 s: a scrape waits for no dependency longer; a source that does not answer is left out.
            return await Promise.race([
              Promise.resolve(sample()),
              new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), 1000).unref()),
            ]);
          } catch {
            return [];
          }
        }),
      );
      gauge.reset();
      for (const rows of results) for (const { labels, value } of rows) gauge.set(labels, value);
    },
  });
  return {
    gauge,
    /** Adds `sample` under `key` (replacing one of the same key); the returned function removes it. */
    track(key: string, sample: Sample): () => void {
      sources.set(key, sample);
      return () => {
        if (sources.get(key) === sample) sources.delete(key);
      };
    },
  };
}

export const outboxBacklog = sampledGauge({
  name: 'waimai_outbox_backlog',
  help: 'Outbox rows not yet published to Kafka, by service.',
  labelNames: ['service'] as const,
});

export const outboxOldestUnsent = sampledGauge({
  name: 'waimai_outbox_oldest_unsent_seconds',
  help: 'Age in seconds of the oldest outbox row not yet published, by service (0 when none waits).',
  labelNames: ['service'] as const,
});

export const outboxFallbackBatches = new Counter({
  name: 'waimai_outbox_fallback_batches_total',
  help: 'Times the outbox relay\'s fallback poll found unsent rows while no publish was under way, by service: after a failed publish, or a commit that enqueued events without kicking the relay (each waited up to OUTBOX_POLL_MS).',
  labelNames: ['service'] as const,
});

/**
 * The hops a unit of work travels, counted where each one is paid (docs/performance/hops.md):
 * the relay's publish batches (one produce request each), the fetches and fetched batches of
 * every consumer group, and the internal API calls each service answers. `pnpm bench` divides
 * their growth by the orders of a timed part.
 */
export const outboxBatches = new Counter({
  name: 'waimai_outbox_batches_total',
  help: 'Outbox batches the relay published and marked sent, by service (each one produce request and one transaction).',
  labelNames: ['service'] as const,
});

export const kafkaFetches = new Counter({
  name: 'waimai_kafka_fetches_total',
  help: 'Fetch requests a consumer group\'s member completed, empty ones included, by group.',
  labelNames: ['group'] as const,
});

export const kafkaConsumedBatches = new Counter({
  name: 'waimai_kafka_consumed_batches_total',
  help: 'Fetched batches (one partition\'s events of one fetch) a consumer group handled, by group.',
  labelNames: ['group'] as const,
});

/**
 * Counts a kafkajs consumer's fetches and non-empty fetched batches under `group` (a name
 * from code, never a per-process id). kafkajs emits FETCH per completed fetch and
 * END_BATCH_PROCESS per handled batch that held events.
 */
export function countConsumerHops(consumer: Pick<Consumer, 'on' | 'events'>, group: string): void {
  const fetches = kafkaFetches.labels({ group });
  const batches = kafkaConsumedBatches.labels({ group });
  consumer.on(consumer.events.FETCH, () => fetches.inc());
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.batchSize > 0) batches.inc();
  });
}

export const internalApiCalls = new Counter({
  name: 'waimai_internal_api_calls_total',
  help: 'Calls a service\'s internal API handed to their handler (a caller the call lists, a valid body), by service and call name from the API\'s definition; a call refused before its handler is not counted.',
  labelNames: ['service', 'call'] as const,
});

export const consumerLag = sampledGauge({
  name: 'waimai_kafka_consumer_lag',
  help: 'Events on a partition that a consumer group has not committed yet (end offset minus committed offset), by service, group, topic and partition.',
  labelNames: ['service', 'group', 'topic', 'partition'] as const,
});

export const mysqlPool = sampledGauge({
  name: 'waimai_mysql_pool_connections',
  help: 'MySQL connections of a pool, by service, pool (primary, replica-N) and state (in_use, idle, waiting: requests queued for a connection, limit: the pool\'s size).',
  labelNames: ['service', 'pool', 'state'] as const,
});

export const mysqlReplicaLag = sampledGauge({
  name: 'waimai_mysql_replica_lag_seconds',
  help: 'How far a MySQL read replica is behind the primary, in seconds, as this process last measured it (GTID positions, one check interval of resolution), by service and replica; absent while the replica cannot be reached.',
  labelNames: ['service', 'replica'] as const,
});

export const mysqlReplicaServing = sampledGauge({
  name: 'waimai_mysql_replica_serving',
  help: 'Whether a MySQL read replica takes stale-ok reads (1: reachable and within MYSQL_REPLICA_MAX_LAG_MS; 0: its reads go to the primary), by service and replica.',
  labelNames: ['service', 'replica'] as const,
});

export const mysqlReads = new Counter({
  name: 'waimai_mysql_routed_reads_total',
  help: 'Reads that may go to a replica, by service, the server that answered (replica, primary) and why (stale_ok, caught_up: on a replica; no_replica_serving, replica_failed, not_caught_up: on the primary).',
  labelNames: ['service', 'server', 'reason'] as const,
});

export const redisCommandDuration = new Histogram({
  name: 'waimai_redis_command_duration_seconds',
  help: 'Redis command duration in seconds, from sending to its reply, by connection, command and outcome.',
  labelNames: ['connection', 'command', 'outcome'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
});

/** Times every command of `client` (pipelined and auto-pipelined ones too: all pass through sendCommand). */
export function observeRedisCommands(client: Redis, connection: string): Redis {
  const target = client as Pick<SingleRedis, 'sendCommand'>;
  const send = target.sendCommand.bind(client);
  target.sendCommand = (command, ...rest) => {
    const done = redisCommandDuration.startTimer({ connection, command: command.name.toLowerCase() });
    command.promise.then(
      () => done({ outcome: 'ok' }),
      () => done({ outcome: 'error' }),
    );
    return send(command, ...rest);
  };
  return client;
}

export const businessMetrics = {
  orderTransitions: new Counter({
    name: 'waimai_order_transitions_total',
    help: 'Order status transitions committed, by step, from and to status (counted when the OrderStatusChanged event is published).',
    labelNames: ['step', 'from', 'to'] as const,
  }),
  ordersNeedingAttention: new Counter({
    name: 'waimai_orders_needing_attention_total',
    help: 'Orders or payments flagged for operations, by reason (dispatch_gave_up: no rider within the window; payment: a payment needing a person).',
    labelNames: ['reason'] as const,
  }),
  offers: new Counter({
    name: 'waimai_dispatch_offers_total',
    help: 'Dispatch offers, by outcome: sent (one per rider offered an order), expired (a round of offers that ran out without a grab), grabbed (an offered order a rider took).',
    labelNames: ['outcome'] as const,
  }),
  compensationCents: new Counter({
    name: 'waimai_compensation_paid_cents_total',
    help: 'Money refunded to customers in cents, by reason (LATE_DELIVERY is the overtime compensation).',
    labelNames: ['reason'] as const,
  }),
  refunds: new Counter({
    name: 'waimai_refunds_paid_total',
    help: 'Refunds paid out, by reason.',
    labelNames: ['reason'] as const,
  }),
};

const text = (value: unknown) => (typeof value === 'string' ? value : 'none');

/**
 * Counts the business facts among events the outbox relay has published (their transaction
 * committed): each fact is counted by the service that owns it, once per publish. A relay
 * killed between publishing and marking republishes, and counts again, like Kafka's consumers see.
 */
export function countPublishedEvents(events: readonly EventEnvelope[]): void {
  for (const event of events) {
    const data = event.data;
    switch (event.type) {
      case 'OrderStatusChanged':
        businessMetrics.orderTransitions.inc({ step: text(data.step), from: text(data.from), to: text(data.to) });
        if (data.step === 'grab') businessMetrics.offers.inc({ outcome: 'grabbed' });
        if (data.step === 'offerTimeout') businessMetrics.offers.inc({ outcome: 'expired' });
        if (data.step === 'dispatchGaveUp' && data.needsAttention === true) businessMetrics.ordersNeedingAttention.inc({ reason: 'dispatch_gave_up' });
        break;
      case 'OrderOffered':
        businessMetrics.offers.inc({ outcome: 'sent' });
        break;
      case 'PaymentRefunded':
        businessMetrics.refunds.inc({ reason: text(data.reason) });
        businessMetrics.compensationCents.inc({ reason: text(data.reason) }, typeof data.refundCents === 'number' ? data.refundCents : 0);
        break;
      case 'PaymentNeedsAttention':
        businessMetrics.ordersNeedingAttention.inc({ reason: 'payment' });
        break;
      default:
        break;
    }
  }
}

import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { bigint, char, datetime, index, mysqlTable, primaryKey, text, varchar } from 'drizzle-orm/mysql-core';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import { z } from 'zod';
import { DEFAULT_OUTBOX_POLL_MS } from './config';
import { isDuplicateKey, type Database, type OutboxTransaction } from './db';
import { topicOf, type CatalogEvent } from './event-catalog';
import { eventEnvelopeSchema, type EventBus, type EventEnvelope, type TopicName } from './events';
import type { Logger } from './logger';
import { detached, SpanKind, SpanStatusCode, startLinkedSpan, traceCarrier, type TraceCarrier } from './telemetry';
import { countPublishedEvents, outboxBacklog, outboxBatches, outboxFallbackBatches, outboxOldestUnsent } from './metrics';

/**
 * The transactional outbox every service keeps in its own database: a state change and
 * the events it causes are written in one transaction; the relay publishes them later.
 * `seq` only orders rows for the relay; it never leaves the service.
 */
export const outbox = mysqlTable(
  'outbox',
  {
    seq: bigint('seq', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    eventId: char('event_id', { length: 36 }).notNull().unique(),
    topic: varchar('topic', { length: 64 }).notNull(),
    aggregateId: varchar('aggregate_id', { length: 64 }).notNull(),
    payload: text('payload').notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
    publishedAt: datetime('published_at', { mode: 'date', fsp: 3 }),
  },
  (t) => [index('outbox_unpublished').on(t.publishedAt, t.seq)],
);

/** Events a consumer has applied, written in the same transaction as the effect. */
export const processedEvents = mysqlTable(
  'processed_events',
  {
    consumer: varchar('consumer', { length: 64 }).notNull(),
    eventId: varchar('event_id', { length: 64 }).notNull(),
    processedAt: datetime('processed_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

// drizzle's transaction type differs per schema; these helpers only need insert/select.
type AnyDatabase = Pick<MySql2Database<Record<string, never>>, 'insert' | 'select' | 'update' | 'execute'>;

/**
 * Adds events to the outbox inside the caller's transaction, each bound for its type's topic
 * in the catalog. Only events built with `newEvent` are accepted, so only valid ones.
 */
export async function enqueueEvents(tx: AnyDatabase, events: readonly CatalogEvent[]): Promise<void> {
  if (events.length === 0) return;
  const now = new Date();
  // The request's trace goes with each row, so that consumers continue it (see TRACE_KEY).
  const carrier = traceCarrier();
  const trace = Object.keys(carrier).length > 0 ? { [TRACE_KEY]: carrier } : {};
  await tx.insert(outbox).values(
    events.map((event) => ({ eventId: event.id, topic: topicOf(event), aggregateId: event.aggregateId, payload: JSON.stringify({ ...event, ...trace }), createdAt: now })),
  );
}

/**
 * Where an outbox row's payload keeps the trace context (traceparent) of the request that
 * enqueued it: a reserved key beside the envelope's, so the table needs no column of its own.
 * The relay takes it out before publishing and sends it as the Kafka message's headers.
 */
export const TRACE_KEY = '$trace';

const traceCarrierSchema = z.record(z.string(), z.string());

/** An outbox row's payload: the event's envelope, and the trace context it was enqueued in (empty when untraced). */
function fromPayload(payload: string): { event: EventEnvelope; carrier: TraceCarrier } {
  const raw = JSON.parse(payload) as Record<string, unknown>;
  const carrier = traceCarrierSchema.safeParse(raw[TRACE_KEY]);
  // The envelope schema drops the reserved key with every other unknown one.
  return { event: eventEnvelopeSchema.parse(raw), carrier: carrier.success ? carrier.data : {} };
}

/**
 * Marks `eventId` as applied by `consumer` inside the caller's transaction. False when it
 * was applied before: the caller must skip the effect (at-least-once in, exactly-once effect).
 */
export async function markProcessed(tx: AnyDatabase, consumer: string, eventId: string): Promise<boolean> {
  try {
    await tx.insert(processedEvents).values({ consumer, eventId, processedAt: new Date() });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Marks these events applied, each by its consumer, in the caller's transaction, in one insert.
 * None of them may be marked already: a duplicate fails the transaction (the caller read which
 * were, or lets the event be delivered again to find it applied).
 */
export async function markEachProcessed(tx: AnyDatabase, keys: ReadonlyArray<{ consumer: string; eventId: string }>): Promise<void> {
  if (keys.length === 0) return;
  const now = new Date();
  await tx.insert(processedEvents).values(keys.map(({ consumer, eventId }) => ({ consumer, eventId, processedAt: now })));
}

/** Which of these events `consumer` has recorded as processed (read in `database`, a transaction or a pool). */
export async function processedAmong(database: AnyDatabase, consumer: string, eventIds: readonly string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = await database
    .select({ eventId: processedEvents.eventId })
    .from(processedEvents)
    .where(and(eq(processedEvents.consumer, consumer), inArray(processedEvents.eventId, [...eventIds])));
  return new Set(rows.map((row) => row.eventId));
}

/**
 * Runs `work` once per (consumer, eventId): the processed-event row and the work commit in one
 * transaction, so a redelivered event finds the row and does nothing. `done: false` when it
 * ran before (a concurrent delivery losing the insert race counts as that too).
 */
export async function applyOnce<TSchema extends Record<string, unknown>, T>(
  db: Database<TSchema>,
  consumer: string,
  eventId: string,
  work: (tx: Transaction<TSchema>) => Promise<T>,
): Promise<{ done: true; value: T } | { done: false }> {
  try {
    return await db.transaction(async (tx) => {
      if (!(await markProcessed(tx, consumer, eventId))) return { done: false as const };
      return { done: true as const, value: await work(tx) };
    });
  } catch (err) {
    if (isDuplicateKey(err)) return { done: false };
    throw err;
  }
}

/**
 * applyOnce for a batch of events (`onBatch` handlers): one transaction reads which of them
 * `consumer` has applied before, marks the others processed and hands them to `work`, which
 * applies exactly those, in the order given (an event id that appears twice counts once, at its
 * first place). Returns the events applied now. A concurrent delivery of one of them that
 * commits first makes this transaction fail on the processed row's key and roll back whole:
 * the batch is then delivered again, and finds those events applied.
 */
export async function applyOnceEach<TSchema extends Record<string, unknown>, E extends { id: string }>(
  db: Database<TSchema>,
  consumer: string,
  events: readonly E[],
  work: (tx: Transaction<TSchema>, fresh: E[]) => Promise<void>,
): Promise<E[]> {
  const firsts = [...new Map(events.map((event) => [event.id, event] as const)).values()];
  if (firsts.length === 0) return [];
  return db.transaction(async (tx) => {
    const applied = await processedAmong(tx, consumer, firsts.map((event) => event.id));
    const fresh = firsts.filter((event) => !applied.has(event.id));
    if (fresh.length === 0) return fresh;
    await markEachProcessed(tx, fresh.map((event) => ({ consumer, eventId: event.id })));
    await work(tx, fresh);
    return fresh;
  });
}

export type Transaction<TSchema extends Record<string, unknown>> = Parameters<Parameters<Database<TSchema>['transaction']>[0]>[0];

/**
 * Publishes one topic's batch; each event that was enqueued in a trace gets a publish span in
 * that trace, whose context goes in the message's headers. Untraced events cost nothing.
 */
async function publishTraced(bus: EventBus, service: string, topic: TopicName, batch: { events: EventEnvelope[]; traces: TraceCarrier[] }): Promise<void> {
  if (batch.traces.every((carrier) => Object.keys(carrier).length === 0)) return bus.publish(topic, batch.events);
  const spans = batch.events.map((event, index) =>
    Object.keys(batch.traces[index]!).length === 0
      ? null
      : startLinkedSpan(`${topic} publish`, {
          kind: SpanKind.PRODUCER,
          carrier: batch.traces[index],
          attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': topic, 'messaging.message.id': event.id, 'waimai.event.type': event.type, 'waimai.service': service },
        }),
  );
  try {
    await bus.publish(topic, batch.events, spans.map((linked) => linked?.carrier ?? {}));
  } catch (err) {
    for (const linked of spans) linked?.span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    for (const linked of spans) linked?.span.end();
  }
}

export interface OutboxRelayOptions {
  service: string;
  db: MySql2Database<Record<string, unknown>>;
  bus: EventBus;
  logger: Logger;
  /** Fallback poll, ms (OUTBOX_POLL_MS in a service; DEFAULT_OUTBOX_POLL_MS when left out); `kick()` after a commit publishes at once. */
  intervalMs?: number;
  batchSize?: number;
  /** Test hook: runs after a batch is published and before it is marked sent. */
  afterPublish?: (events: EventEnvelope[]) => Promise<void>;
  /**
   * Runs a batch as one READ COMMITTED transaction (ServiceDatabase.outboxTransaction, on a
   * connection of its own); by default a transaction on `db` that sets its isolation level.
   */
  transaction?: OutboxTransaction;
}

export interface OutboxRelay {
  /** Publishes pending rows now (coalesced with a run already under way). */
  kick(): void;
  /** Publishes until nothing is pending; for tests and shutdown. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Publishes outbox rows in `seq` order, one batch at a time across all replicas (row locks),
 * so one aggregate's events keep their order. A relay killed between publishing and marking
 * republishes those rows on restart: duplicates, never loss.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, bus, service, afterPublish } = options;
  const log = options.logger.child({ component: 'outbox-relay', service });
  const batchSize = options.batchSize ?? 200;
  const batchesPublished = outboxBatches.labels({ service });
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  const inTransaction: OutboxTransaction = options.transaction ?? ((work) => db.transaction(work, { isolationLevel: 'read committed' }));

  async function publishBatch(): Promise<number> {
    // READ COMMITTED: the row locks below take no gap locks, so services keep inserting
    // outbox rows while a batch is being published.
    return inTransaction(
      async (tx) => {
        // FOR UPDATE: a second relay (another replica) waits here until this batch is
        // committed as sent, then re-reads: one aggregate's events are never reordered or
        // published twice by two live relays.
        const rows = await tx
          .select()
          .from(outbox)
          .where(isNull(outbox.publishedAt))
          .orderBy(asc(outbox.seq))
          .limit(batchSize)
          .for('update');
        if (rows.length === 0) return [];
        const events = rows.map((row) => ({ topic: row.topic as TopicName, ...fromPayload(row.payload) }));
        const byTopic = new Map<TopicName, { events: EventEnvelope[]; traces: TraceCarrier[] }>();
        for (const { topic, event, carrier } of events) {
          const batch = byTopic.get(topic) ?? { events: [], traces: [] };
          batch.events.push(event);
          batch.traces.push(carrier);
          byTopic.set(topic, batch);
        }
        for (const [topic, batch] of byTopic) await publishTraced(bus, service, topic, batch);
        if (afterPublish) await afterPublish(events.map(({ event }) => event));
        await tx.update(outbox).set({ publishedAt: new Date() }).where(inArray(outbox.seq, rows.map((row) => row.seq)));
        return events.map(({ event }) => event);
      },
    ).then((published) => {
      // Counted once the batch is committed as sent: a rolled-back batch is published again.
      countPublishedEvents(published);
      if (published.length) batchesPublished.inc();
      return published.length;
    });
  }

  async function runUntilEmpty(): Promise<number> {
    let total = 0;
    for (;;) {
      again = false;
      const published = await publishBatch();
      total += published;
      if (published < batchSize && !again) return total;
    }
  }

  function kick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = detached(runUntilEmpty)
      .catch((err: unknown) => {
        log.error({ err }, 'Publishing the outbox failed; retrying on the next tick.');
        return 0;
      })
      .finally(() => {
        running = null;
      });
  }

  // The fallback poll's question, built once: is anything unsent? One indexed read
  // (outbox_unpublished) instead of the batch's transaction (isolation level, BEGIN, SELECT …
  // FOR UPDATE, COMMIT: four round trips and row locks) every tick while nothing waits, which
  // is almost always: every commit that enqueues kicks the relay itself.
  const anyUnsent = db.select({ seq: outbox.seq }).from(outbox).where(isNull(outbox.publishedAt)).limit(1).prepare();
  async function poll() {
    if (stopped || running) return;
    try {
      if ((await anyUnsent.execute()).length === 0) return;
    } catch (err) {
      log.error({ err }, 'Could not look for unsent outbox rows; trying again on the next tick.');
      return;
    }
    // Counted only when no kicked run started while the question was out: that run may have
    // the rows in hand already. kick() still asks it to look once more.
    if (!stopped && !running) outboxFallbackBatches.inc({ service });
    kick();
  }

  const timer = setInterval(() => void poll(), options.intervalMs ?? DEFAULT_OUTBOX_POLL_MS);
  timer.unref();
  kick();

  // Read when Prometheus scrapes: what waits, and for how long (the index on published_at serves it).
  const pending = async () => {
    const [row] = await db
      .select({ n: sql<number>`count(*)`, oldest: sql<Date | string | null>`min(${outbox.createdAt})` })
      .from(outbox)
      .where(isNull(outbox.publishedAt));
    const oldest = row?.oldest;
    // mysql2 gives a Date for DATETIME (UTC, the pool's timezone); a string only through drivers that do not type it.
    return { count: Number(row?.n ?? 0), oldest: oldest instanceof Date ? oldest : oldest ? new Date(`${oldest.replace(' ', 'T')}Z`) : null };
  };
  const untrackBacklog = outboxBacklog.track(service, async () => [{ labels: { service }, value: (await pending()).count }]);
  const untrackOldest = outboxOldestUnsent.track(service, async () => {
    const { oldest } = await pending();
    return [{ labels: { service }, value: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0 }];
  });

  return {
    kick,
    async drain() {
      for (;;) {
        if (running) await running;
        const [pending] = await db.select({ n: sql<number>`count(*)` }).from(outbox).where(isNull(outbox.publishedAt));
        if (Number(pending?.n ?? 0) === 0) return;
        kick();
        await running;
      }
    },
    async stop() {
      stopped = true;
      untrackBacklog();
      untrackOldest();
      clearInterval(timer);
      if (running) await running;
    },
  };
}

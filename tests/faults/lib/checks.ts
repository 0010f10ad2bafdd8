import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import { SUBGRAPH_NAMES, Topics, type OrderStatus } from '@waimai/platform';
import { nextOrderStatus as nextStatus, orderSteps as steps, type OrderStep as Step } from '@waimai/platform';
import type { FlowRecord } from './flow';

/**
 * The invariants of the order history after a run with faults, read from every service's
 * database and from Kafka. Each violation is one sentence naming the order, payment or
 * product; the suite expects none.
 */
export interface HistoryFigures {
  orders: number;
  paid: number;
  delivered: number;
  late: number;
  compensated: number;
  /** Events a relay sent twice (killed between Kafka's ack and marking them sent). */
  republished: number;
  violations: string[];
}

type Row = Record<string, unknown>;

const PAID_STATUSES = new Set(['CREATED', 'NOTIFIED', 'DELIVERING', 'OVERTIME', 'RECEIVED', 'COMPENSATING', 'CLOSED']);

export async function checkHistory(env: Record<string, string>, record: FlowRecord): Promise<HistoryFigures> {
  const connection = await mysql.createConnection({ uri: env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306' });
  const db = (service: string) => `\`${env.DB_PREFIX}_${service}\``;
  const rows = async (sql: string, params: unknown[] = []) => (await connection.query(sql, params))[0] as Row[];
  const violations: string[] = [];
  let duplicates = 0;
  try {
    const orders = await rows(`SELECT id, status, payment_id, rider_id, needs_attention, was_overtime, paid_at, dispatch_round FROM ${db('orders')}.orders`);
    const byId = new Map(orders.map((order) => [String(order.id), order]));
    const timeline = await rows(`SELECT order_id, status, step FROM ${db('orders')}.order_timeline ORDER BY order_id, seq`);
    const payments = await rows(`SELECT id, order_id, status FROM ${db('payments')}.payments`);
    const refunds = await rows(`SELECT order_id, reason FROM ${db('payments')}.refunds`);
    const offered = new Set((await rows(`SELECT DISTINCT order_id FROM ${db('riders')}.order_offers`)).map((row) => String(row.order_id)));
    const holds = await rows(`SELECT h.order_id, h.status, i.product_id, i.quantity FROM ${db('products')}.stock_holds h JOIN ${db('products')}.stock_hold_items i ON i.order_id = h.order_id`);
    const stock = new Map((await rows(`SELECT id, stock FROM ${db('products')}.products`)).map((row) => [String(row.id), Number(row.stock)]));

    // Every order the API said it created exists; no acknowledged payment is lost.
    for (const orderId of record.createdOrders) if (!byId.has(orderId)) violations.push(`order ${orderId} was answered to its customer but does not exist`);
    const paymentById = new Map(payments.map((payment) => [String(payment.id), payment]));
    for (const [paymentId, { orderId }] of record.acknowledgedPayments) {
      const payment = paymentById.get(paymentId);
      const order = byId.get(orderId);
      if (!payment || !['SUCCEEDED', 'REFUNDED', 'PARTIALLY_REFUNDED'].includes(String(payment.status))) {
        violations.push(`payment ${paymentId} was acknowledged to the provider but is ${payment ? String(payment.status) : 'missing'}`);
      }
      if (!order || !PAID_STATUSES.has(String(order.status))) violations.push(`order ${orderId} was paid (payment ${paymentId} acknowledged) but is ${order ? String(order.status) : 'missing'}`);
    }

    // Every paid order was offered to riders, or flagged for operations.
    for (const order of orders) {
      if (order.paid_at !== null && !offered.has(String(order.id)) && !order.needs_attention) {
        violations.push(`paid order ${String(order.id)} was never offered nor flagged (${String(order.status)}, dispatch round ${String(order.dispatch_round)})`);
      }
    }

    // One payment applied per order, one refund per payment and reason.
    const succeededPerOrder = new Map<string, number>();
    for (const payment of payments) {
      if (['SUCCEEDED', 'REFUNDED', 'PARTIALLY_REFUNDED'].includes(String(payment.status))) {
        succeededPerOrder.set(String(payment.order_id), (succeededPerOrder.get(String(payment.order_id)) ?? 0) + 1);
      }
    }
    for (const [orderId, count] of succeededPerOrder) if (count > 1) violations.push(`order ${orderId} has ${count} successful payments`);
    const refundKeys = new Map<string, number>();
    for (const refund of refunds) refundKeys.set(`${String(refund.order_id)}:${String(refund.reason)}`, (refundKeys.get(`${String(refund.order_id)}:${String(refund.reason)}`) ?? 0) + 1);
    for (const [key, count] of refundKeys) if (count > 1) violations.push(`refund ${key} was paid ${count} times`);

    // Every timeline is a path of the state machine, and payment moves each order once.
    const timelines = new Map<string, Row[]>();
    for (const row of timeline) timelines.set(String(row.order_id), [...(timelines.get(String(row.order_id)) ?? []), row]);
    for (const [orderId, path] of timelines) {
      let status: OrderStatus | null = null;
      let pays = 0;
      for (const { status: to, step } of path) {
        if (step === 'pay') pays += 1;
        if (status === null) {
          if (to !== 'PENDING_PAYMENT') violations.push(`order ${orderId} starts its timeline at ${String(to)}`);
        } else if (!(steps as readonly string[]).includes(String(step)) || nextStatus(status, step as Step) !== to) {
          violations.push(`order ${orderId} went ${status} → ${String(to)} by "${String(step)}", which the state machine does not allow`);
        }
        status = to as OrderStatus;
      }
      if (pays > 1) violations.push(`order ${orderId} was paid ${pays} times in its timeline`);
      const current = byId.get(orderId)?.status;
      if (current !== undefined && current !== status) violations.push(`order ${orderId} is ${String(current)} but its timeline ends at ${String(status)}`);
    }

    // No double grab: one rider named by successful grab answers, and it is the order's rider.
    for (const [orderId, winners] of record.grabWinners) {
      if (winners.size > 1) violations.push(`order ${orderId} was grabbed by ${winners.size} riders: ${[...winners].join(', ')}`);
      const rider = byId.get(orderId)?.rider_id;
      for (const winner of winners) if (rider !== winner) violations.push(`order ${orderId} told ${winner} it won, but its rider is ${String(rider)}`);
    }

    // Stock is conserved per product: on the shelf + held by live (not cancelled) orders = initial.
    const heldBy = new Map<string, number>();
    for (const hold of holds) {
      const order = byId.get(String(hold.order_id));
      if (hold.status === 'RESERVED') {
        heldBy.set(String(hold.product_id), (heldBy.get(String(hold.product_id)) ?? 0) + Number(hold.quantity));
        if (!order) violations.push(`stock hold ${String(hold.order_id)} is RESERVED but no such order exists (${String(hold.quantity)} × ${String(hold.product_id)} withheld)`);
        else if (order.status === 'CANCELLED') violations.push(`order ${String(hold.order_id)} is CANCELLED but its stock is still held`);
      }
    }
    for (const { id, initialStock } of record.products) {
      const onShelf = stock.get(id) ?? 0;
      const held = heldBy.get(id) ?? 0;
      if (onShelf + held !== initialStock) violations.push(`product ${id}: ${onShelf} on the shelf + ${held} held ≠ ${initialStock} at the start`);
    }

    // Outboxes drained, and each topic holds exactly the events its outbox rows wrote.
    const outboxRows = new Map<string, number>();
    for (const service of SUBGRAPH_NAMES) {
      const exists = await rows('SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [`${env.DB_PREFIX}_${service}`, 'outbox']);
      if (exists.length === 0) continue;
      for (const row of await rows(`SELECT topic, COUNT(*) AS n, SUM(published_at IS NULL) AS pending FROM ${db(service)}.outbox GROUP BY topic`)) {
        if (Number(row.pending) > 0) violations.push(`${service}'s outbox has ${String(row.pending)} unpublished ${String(row.topic)} events`);
        outboxRows.set(String(row.topic), (outboxRows.get(String(row.topic)) ?? 0) + Number(row.n));
      }
    }
    const kafka = new Kafka({ clientId: 'faults-checks', brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
    for (const topic of Object.values(Topics)) {
      const ids = await eventIdsIn(kafka, `${env.KAFKA_TOPIC_PREFIX}${topic}`);
      const distinct = new Set(ids);
      const written = outboxRows.get(topic) ?? 0;
      // The relay is at-least-once: killed between Kafka's ack and marking its rows sent, it
      // sends them again. A repeat of an event id is counted, not a violation (consumers apply
      // each id once); a topic missing events, or holding events no outbox wrote, is.
      duplicates += ids.length - distinct.size;
      if (distinct.size !== written) violations.push(`topic ${topic} holds ${distinct.size} distinct events, its outbox rows ${written}`);
    }

    return {
      orders: orders.length,
      paid: orders.filter((order) => order.paid_at !== null).length,
      delivered: orders.filter((order) => ['RECEIVED', 'COMPENSATING', 'CLOSED'].includes(String(order.status))).length,
      late: orders.filter((order) => Boolean(order.was_overtime)).length,
      compensated: refunds.length,
      republished: duplicates,
      violations,
    };
  } finally {
    await connection.end();
  }
}

/**
 * Waits, bounded, until every outbox is drained, then until the events of the last closes
 * (CLOSE_AFTER_SECONDS after their deliveries) are drained too: what a run leaves once its
 * riders have finished.
 */
export async function untilOutboxesDrained(env: Record<string, string>): Promise<void> {
  const drainedBy = Date.now() + 60_000;
  while (!(await outboxesDrained(env)) && Date.now() < drainedBy) await sleep(500);
  // The last closes (CLOSE_AFTER_SECONDS, 2 s in FAULT_TIMERS) and their events.
  await sleep(4000);
  while (!(await outboxesDrained(env)) && Date.now() < drainedBy + 10_000) await sleep(500);
}

/** Whether every service's outbox has published all its rows. */
export async function outboxesDrained(env: Record<string, string>): Promise<boolean> {
  const connection = await mysql.createConnection({ uri: env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306' });
  try {
    for (const service of ['orders', 'payments', 'riders']) {
      const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM \`${env.DB_PREFIX}_${service}\`.outbox WHERE published_at IS NULL`);
      if (Number((rows as Array<{ n: number }>)[0]?.n) > 0) return false;
    }
    return true;
  } finally {
    await connection.end();
  }
}

/** Every event id in `topic`, read from the start to the high watermark of each partition. */
async function eventIdsIn(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(offsets.filter((partition) => Number(partition.high) > Number(partition.low)).map((partition) => [partition.partition, Number(partition.high)]));
  if (remaining.size === 0) return [];
  const groupId = `faults-checks-${topic}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId });
  const ids: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Reading ${topic} back took longer than 60 s.`)), 60_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            ids.push((JSON.parse(message.value?.toString() ?? '{}') as { id?: string }).id ?? `offset-${partition}-${message.offset}`);
            if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect();
  }
  return ids;
}

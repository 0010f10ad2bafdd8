import mysql from 'mysql2/promise';
import { databaseName } from '@waimai/platform';
import { summarize, type LatencySummary } from './stats';

/**
 * Where a paid order's time goes on its way to the riders' sockets, from the timestamps the
 * services write anyway (all from JS `new Date()` on this one machine, in ms):
 *
 *   webhook sent ─► order CREATED (payments applies the callback, its outbox relay publishes
 *   PaymentSucceeded, orders consumes it) ─► round planned (orders' relay publishes
 *   OrderStatusChanged, the dispatcher consumes it and picks riders) ─► order NOTIFIED (the
 *   notify call to orders) ─► offers in the outbox (riders commits the round's offers) ─►
 *   offers published (riders' relay) ─► first offer frame on a socket (the gateway's consumer,
 *   the entity query through the supergraph, the websocket write).
 */
export interface OrderTimes {
  sentAtWall: number;
  firstFrameWall: number | null;
}

export interface StageReport {
  stages: Record<string, LatencySummary>;
  /** Offers the dispatcher wrote for these orders (round 1): what should reach sockets. */
  offersWritten: number;
}

interface TimelineRow {
  order_id: string;
  status: string;
  at: Date;
}

interface RoundRow {
  order_id: string;
  created_at: Date;
  notified_at: Date | null;
  rider_count: number;
}

interface PublishedRow {
  order_id: string;
  published_at: Date | null;
}

export async function stageReport(mysqlUrl: string, dbPrefix: string, orders: ReadonlyMap<string, OrderTimes>): Promise<StageReport> {
  const ids = [...orders.keys()];
  const connection = await mysql.createConnection({ uri: mysqlUrl, timezone: 'Z' });
  try {
    const ordersDb = databaseName(dbPrefix, 'orders');
    const ridersDb = databaseName(dbPrefix, 'riders');
    const [timeline] = await connection.query(
      `SELECT order_id, status, at FROM \`${ordersDb}\`.order_timeline WHERE order_id IN (?) AND status IN ('CREATED', 'NOTIFIED')`,
      [ids],
    );
    const [rounds] = await connection.query(
      `SELECT order_id, created_at, notified_at, rider_count FROM \`${ridersDb}\`.dispatch_rounds WHERE order_id IN (?) AND round = 1`,
      [ids],
    );
    const [published] = await connection.query(
      `SELECT JSON_VALUE(payload, '$.data.orderId') AS order_id, MIN(published_at) AS published_at FROM \`${ridersDb}\`.outbox
       WHERE JSON_VALUE(payload, '$.type') = 'OrderOffered' GROUP BY order_id`,
    );
    const at = new Map<string, Record<string, number>>();
    const mark = (orderId: string, name: string, when: Date | null) => {
      if (!when || !orders.has(orderId)) return;
      const entry = at.get(orderId) ?? {};
      // The first time a status was reached (a later round's CREATED is not this one's).
      entry[name] = Math.min(entry[name] ?? Infinity, when.getTime());
      at.set(orderId, entry);
    };
    for (const row of timeline as TimelineRow[]) mark(row.order_id, row.status, row.at);
    let offersWritten = 0;
    for (const row of rounds as RoundRow[]) {
      mark(row.order_id, 'planned', row.created_at);
      mark(row.order_id, 'accepted', row.notified_at);
      offersWritten += row.rider_count;
    }
    for (const row of published as PublishedRow[]) mark(row.order_id, 'published', row.published_at);

    const steps: Array<[label: string, from: string, to: string]> = [
      ['webhook sent → order CREATED', 'sent', 'CREATED'],
      ['CREATED → dispatch round planned', 'CREATED', 'planned'],
      ['round planned → order NOTIFIED', 'planned', 'NOTIFIED'],
      ['NOTIFIED → offers in riders outbox', 'NOTIFIED', 'accepted'],
      ['outbox → offers published to Kafka', 'accepted', 'published'],
      ['published → first offer frame', 'published', 'frame'],
    ];
    const samples = new Map<string, number[]>(steps.map(([label]) => [label, []]));
    for (const [orderId, times] of orders) {
      const entry = { ...at.get(orderId), sent: times.sentAtWall, ...(times.firstFrameWall === null ? {} : { frame: times.firstFrameWall }) };
      for (const [label, from, to] of steps) {
        const start = entry[from as keyof typeof entry];
        const end = entry[to as keyof typeof entry];
        if (typeof start === 'number' && typeof end === 'number' && Number.isFinite(start) && Number.isFinite(end)) samples.get(label)?.push(end - start);
      }
    }
    return {
      stages: Object.fromEntries([...samples].map(([label, values]) => [label, summarize(values)])),
      offersWritten,
    };
  } finally {
    await connection.end();
  }
}

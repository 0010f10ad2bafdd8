import { and, asc, eq } from 'drizzle-orm';
import { Kafka, logLevel } from 'kafkajs';
import {
  connectDatabase,
  createKafkaEventBus,
  createLogger,
  newEvent,
  newId,
  outbox,
  OrderOffered,
  OrderWithdrawn,
  PaymentSucceeded,
  Topics,
  type GeoPoint,
  type Identity,
  type CatalogEvent,
  type OrderOfferedData,
  type OrderWithdrawnData,
} from '@waimai/platform';
import { aPlace, north, openMerchant, startStack, subgraphCaller } from '@waimai/testkit';
import { loadRidersConfig } from '../src/env';
import { startRidersSubgraph, type RidersOptions, type RunningRiders } from '../src/app';
import { ridersService } from '../src/index';
import { dispatchRounds, orderOffers, riderAssignments, riders, ridersSchema } from '../src/db/schema';
import { DISPATCH_CONSUMER } from '../src/domain/dispatch';
export { eventually, north } from '@waimai/testkit';

/** An OrderOffered event as a rider's phone would get it, with its envelope id. */
export interface OfferedEvent extends OrderOfferedData {
  eventId: string;
}

/**
 * Products and orders on testkit's stack, and riders in-process beside them (so tests can
 * restart it, hook into its dispatcher and see its SQL), with short dispatch timers
 * (`overrides` for more). The stack has databases, Redis keys and topics (hence consumer
 * groups) of its own inside the run's: other suites of the run start riders of their own
 * with other timers, and those must not dispatch this stack's orders.
 */
export async function startDispatchStack(overrides: Record<string, string> = {}, ridersOptions: RidersOptions = {}) {
  const stack = await startStack({
    subgraphs: ['products', 'orders'],
    env: {
      SCHEDULER_INTERVAL_MS: '200',
      OFFER_SECONDS: '4',
      DISPATCH_FIRST_RADIUS_METERS: '1000',
      DISPATCH_RADIUS_GROWTH: '3',
      DISPATCH_MAX_ROUNDS: '3',
      // Rounds that reach nobody are planned again every second, for ten minutes.
      DISPATCH_EMPTY_ROUND_RETRY_SECONDS: '1',
      DISPATCH_GIVE_UP_SECONDS: '600',
      // Tests persist locations when they want to (persistLocations()).
      LOCATION_PERSIST_SECONDS: '3600',
      ...overrides,
    },
  });
  const logger = createLogger('test', stack.env.LOG_LEVEL ?? 'warn');
  // Undone in reverse by stop(), or at once when starting fails half-way. The stack's
  // databases (riders' among them, by its prefix) go with the run's teardown.
  const undo: Array<() => Promise<void>> = [() => stack.stop()];
  const undoAll = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };

  try {
    const config = loadRidersConfig({ ...stack.env, RIDERS_PORT: '0' });
    await ridersService.migrate(config);

    const queries: string[] = [];
    const startRiders = (options: RidersOptions) =>
      startRidersSubgraph(config, logger, { ...options, logQuery: (query) => queries.push(query) });
    let current: RunningRiders = await startRiders(ridersOptions);
    undo.push(() => current.stop());

    const database = connectDatabase(config, 'riders', ridersSchema);
    undo.push(() => database.close());
    const bus = createKafkaEventBus(config, 'riders-test', logger);
    undo.push(() => bus.close());
    const offered: OfferedEvent[] = [];
    const withdrawn: OrderWithdrawnData[] = [];
    const watcher = await bus.subscribe({
      groupId: 'offers-watcher',
      topics: [Topics.dispatchOffers],
      fromBeginning: true,
      async handle(event) {
        if (event.type === OrderOffered.type) offered.push({ eventId: event.id, ...OrderOffered.data.parse(event.data) });
        if (event.type === OrderWithdrawn.type) withdrawn.push(OrderWithdrawn.data.parse(event.data));
      },
    });
    undo.push(() => watcher.stop());
    const admin = new Kafka({ clientId: 'riders-test-admin', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    undo.push(() => admin.disconnect());
    // The stack was asked for products, so it runs.
    const callProducts = subgraphCaller(stack.subgraphUrls.products!, config.INTERNAL_SECRET);
    const callOrders = subgraphCaller(config.ORDERS_URL, config.INTERNAL_SECRET);

    return {
      config,
      /** The riders service running now (restartRiders() replaces it). */
      get riders(): RunningRiders {
        return current;
      },
      /** Every SQL statement the riders services sent, in order. */
      queries,
      /** Every OrderOffered event published so far, duplicates included. */
      offered,
      /** Every OrderWithdrawn event published so far, duplicates included. */
      withdrawn,
      callProducts,
      callOrders,
      callRiders: <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, caller: Identity | null = null) =>
        subgraphCaller(current.baseUrl, config.INTERNAL_SECRET)<T>(query, variables, caller),

      /** Publishes what the payments service would after a successful webhook. */
      async paymentSucceeded(orderId: string, amountCents: number) {
        const event = newEvent(PaymentSucceeded, orderId, { paymentId: newId(), orderId, amountCents, paidAt: new Date().toISOString() });
        await bus.publish(Topics.paymentEvents, [event]);
      },

      /** Publishes events as their producer would (orders' redispatch and reassignment requests, crafted status changes). */
      async publish(...events: CatalogEvent[]) {
        for (const event of events) await bus.publish(Topics.orderEvents, [event]);
      },

      /** The events riders put in its outbox for `aggregateId` (a rider, an order), oldest first, of one type. */
      async outboxOf<T = Record<string, unknown>>(aggregateId: string, type: CatalogEvent['type']): Promise<Array<{ id: string; data: T }>> {
        const rows = await database.primary.select().from(outbox).where(eq(outbox.aggregateId, aggregateId)).orderBy(asc(outbox.seq));
        return rows
          .map((row) => JSON.parse(row.payload) as { id: string; type: string; data: T })
          .filter((event) => event.type === type)
          .map((event) => ({ id: event.id, data: event.data }));
      },

      /** Stops the riders service and starts a new one in the same consumer group (a restart, or a replica taking over). */
      async restartRiders(options: RidersOptions = {}) {
        await current.stop();
        current = await startRiders(options);
      },

      /** Stops the riders service; the order events published meanwhile wait on Kafka for startRiders(). */
      async stopRiders() {
        await current.stop();
      },

      /** Starts a riders service again after stopRiders(), in the same consumer group. */
      async startRiders(options: RidersOptions = {}) {
        current = await startRiders(options);
      },

      /** Whether the dispatcher has committed every order event published so far. */
      async dispatcherCaughtUp(): Promise<boolean> {
        const topic = `${config.KAFKA_TOPIC_PREFIX}${Topics.orderEvents}`;
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId: `${config.KAFKA_TOPIC_PREFIX}${DISPATCH_CONSUMER}`, topics: [topic] });
        const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        return ends.every((end) => Number(end.high) === 0 || at.get(end.partition) === Number(end.high));
      },

      async roundsOf(orderId: string) {
        return database.primary.select().from(dispatchRounds).where(eq(dispatchRounds.orderId, orderId)).orderBy(asc(dispatchRounds.round));
      },

      async offersOf(orderId: string, round?: number) {
        return database.primary
          .select()
          .from(orderOffers)
          .where(and(eq(orderOffers.orderId, orderId), round === undefined ? undefined : eq(orderOffers.round, round)))
          .orderBy(asc(orderOffers.round), asc(orderOffers.distanceMeters));
      },

      /** The orders riders has `riderId` delivering (rider_assignments). */
      async assignmentsOf(riderId: string) {
        return database.primary.select().from(riderAssignments).where(eq(riderAssignments.riderId, riderId));
      },

      async riderRow(riderId: string) {
        const [row] = await database.primary.select().from(riders).where(eq(riders.id, riderId));
        return row;
      },

      /** Stops riders and the stack (the run's teardown drops their databases). */
      stop: undoAll,
    };
  } catch (err) {
    await undoAll();
    throw err;
  }
}
export type DispatchStack = Awaited<ReturnType<typeof startDispatchStack>>;

/** A point in its own corner of the map (testkit's aPlace), so tests never see each other's riders. */
export const aSpot = (): GeoPoint => aPlace();

const METERS_PER_DEGREE = 111_195;
/** A point `meters` east of `point`. */
export function east(point: GeoPoint, meters: number): GeoPoint {
  return { lat: point.lat, lng: point.lng + meters / (METERS_PER_DEGREE * Math.cos((point.lat * Math.PI) / 180)) };
}

export const aRiderIdentity = (): Identity => ({ sub: `rider-${newId()}`, roles: ['RIDER'] });
export const admin: Identity = { sub: 'admin-1', roles: ['ADMIN'] };
export const operator: Identity = { sub: 'operator-1', roles: ['OPERATOR'] };

export const REGISTER = 'mutation($input: RegisterRiderInput!) { registerRider(input: $input) { id name phone vehicle status } }';
export const REPORT = 'mutation($location: GeoPointInput!) { reportLocation(location: $location) }';

/** A registered rider; online and reporting from `at` unless told otherwise. */
export async function aRider(h: DispatchStack, at: GeoPoint | null, options: { online?: boolean; name?: string } = {}) {
  const identity = aRiderIdentity();
  const registered = await h.callRiders(REGISTER, { input: { name: options.name ?? '骑手小王', phone: '+8613800138000', vehicle: '电动车' } }, identity);
  if (registered.errors) throw new Error(JSON.stringify(registered.errors));
  if (options.online ?? true) await h.callRiders('mutation { goOnline { id } }', {}, identity);
  if (at) {
    const reported = await h.callRiders(REPORT, { location: at }, identity);
    if (reported.errors) throw new Error(JSON.stringify(reported.errors));
  }
  return identity;
}

/** A merchant at `location` with one dish in stock, opened straight on products. */
export async function aMerchant(h: DispatchStack, location: GeoPoint) {
  const owner: Identity = { sub: `merchant-${newId()}`, roles: ['MERCHANT'] };
  const merchant = await openMerchant(h.callProducts, owner, {
    name: '骑士测试小馆',
    address: '测试路9号',
    location,
    deliveryRadiusMeters: 5000,
    menu: [{ name: '盖浇饭', priceCents: 2200, stock: 1000 }],
  });
  return { id: merchant.id, productId: merchant.products[0]!.id, location, owner };
}

/** An order from `merchant`, paid (PaymentSucceeded on Kafka, as payments publishes it). */
export async function aPaidOrder(h: DispatchStack, merchant: { productId: string; location: GeoPoint }) {
  const customer: Identity = { sub: `customer-${newId()}`, roles: ['CUSTOMER'] };
  const created = await h.callOrders<{ createOrder: { id: string; totalCents: number } }>(
    'mutation($input: CreateOrderInput!) { createOrder(input: $input) { id totalCents } }',
    { input: { items: [{ productId: merchant.productId, quantity: 1 }], deliveryAddress: '幸福路1号', deliveryLocation: north(merchant.location, 800) } },
    customer,
  );
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  await h.paymentSucceeded(created.data.createOrder.id, created.data.createOrder.totalCents);
  return { id: created.data.createOrder.id, customer };
}

export interface OrderView {
  id: string;
  status: string;
  needsAttention: boolean;
  riderId: string | null;
}

/** The order as orders has it (asked as ADMIN). */
export async function orderIn(h: DispatchStack, orderId: string): Promise<OrderView> {
  const result = await h.callOrders<{ order: OrderView }>('query($id: ID!) { order(id: $id) { id status needsAttention riderId } }', { id: orderId }, admin);
  if (!result.data?.order) throw new Error(JSON.stringify(result.errors ?? 'no such order'));
  return result.data.order;
}

import path from 'node:path';
import { connectRedis, createInternalClient, merchantsApi, ordersApi, startSubgraphService, Topics, typeDefsFrom, worker, type ConnectOptions, type Logger, type RunningSubgraphService } from '@waimai/platform';
import type { RidersConfig } from './env';
import { createContext, type RidersStores } from './context';
import { ridersSchema } from './db/schema';
import { createRiderStore } from './db/rider-store';
import { createDispatchStore } from './db/dispatch-store';
import { createLocationIndex, type LocationIndex } from './db/location-index';
import { createRiderService } from './domain/riders';
import { createDispatcher, type DispatchHooks } from './domain/dispatch';
import { orderEventsConsumer } from './events/dispatch-consumer';
import { startLocationJobs } from './jobs/location-jobs';
import { startEmptyRoundRetries } from './jobs/empty-round-retries';
import { mountRidersApi } from './internal/riders-api';
import { resolvers } from './resolvers';

const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

export interface RidersOptions extends ConnectOptions {
  /** Test hooks into the dispatcher (e.g. dying between telling orders and publishing offers). */
  dispatchHooks?: DispatchHooks;
}

export type RunningRiders = RunningSubgraphService<{
  /** The Redis rider index (tests look at it with their own clock). */
  locations: LocationIndex;
  /** Copies every unsaved live location to MySQL now. */
  persistLocations(): Promise<number>;
}>;

/**
 * Starts the riders subgraph: the GraphQL API (riders, locations, offers, staff search and
 * suspensions), the dispatcher (a consumer group on orders.events), the outbox relay of offer,
 * rider and audit events, and the location
 * persist and sweep timers.
 */
export async function startRidersSubgraph(config: RidersConfig, logger: Logger, options: RidersOptions = {}): Promise<RunningRiders> {
  return startSubgraphService('riders', config, logger, async (scope) => {
    const { signer } = scope;
    const database = scope.database(ridersSchema, options);
    const redis = scope.own(connectRedis(config, 'riders'), (redis) => redis.quit());
    const bus = await scope.bus([Topics.orderEvents, Topics.dispatchOffers, Topics.riderEvents, Topics.auditEvents]);
    const stores: RidersStores = {
      riders: createRiderStore(database.primary),
      dispatch: createDispatchStore(database.primary),
      locations: createLocationIndex(redis, config),
    };
    const relay = scope.relay(database, bus);
    const riderService = createRiderService({ store: stores.riders, dispatch: stores.dispatch, index: stores.locations, relay });
    const dispatcher = createDispatcher({
      store: stores.dispatch,
      riders: stores.riders,
      riderService,
      index: stores.locations,
      orders: createInternalClient(ordersApi, {
        baseUrl: config.ORDERS_URL,
        caller: 'riders',
        signer,
        timeoutMs: config.ORDERS_API_TIMEOUT_MS,
      }),
      merchants: createInternalClient(merchantsApi, { baseUrl: config.PRODUCTS_URL, caller: 'riders', signer, timeoutMs: config.MERCHANTS_API_TIMEOUT_MS }),
      relay,
      policy: config,
      logger,
      hooks: options.dispatchHooks,
    });
    const locationJobs = worker('location jobs', () =>
      startLocationJobs({
        index: stores.locations,
        store: stores.riders,
        persistIntervalMs: config.LOCATION_PERSIST_SECONDS * 1000,
        sweepIntervalMs: config.RIDER_SWEEP_INTERVAL_MS,
        logger,
      }),
    );
    return {
      subgraph: {
        typeDefs,
        resolvers,
        readiness: {
          redis: async () => {
            await redis.ping();
          },
        },
        context: (caller) => createContext(caller, riderService, stores),
        routes: (app) => mountRidersApi(app, stores.riders, signer, logger),
      },
      workers: [
        orderEventsConsumer(bus, dispatcher, config.DISPATCH_CONCURRENCY, logger),
        locationJobs,
        // Rounds that reached nobody are planned again; a tick as often as the order timers'.
        worker('empty-round retries', () => startEmptyRoundRetries(dispatcher, config.SCHEDULER_INTERVAL_MS, logger)),
      ],
      exposes: {
        locations: stores.locations,
        persistLocations: async () => (await locationJobs.running()?.persist()) ?? 0,
      },
    };
  });
}

import path from 'node:path';
import { adCounters, connectRedis, createInternalClient, merchantsApi, ordersApi, startSubgraphService, Topics, typeDefsFrom, worker, type ConnectOptions, type Logger, type RunningSubgraphService } from '@waimai/platform';
import type { OperationsConfig } from './env';
import { createContext } from './context';
import { operationsSchema } from './db/schema';
import { createAuditStore } from './db/audit-store';
import { createFiguresStore } from './db/figures-store';
import { createCampaignStore } from './db/campaign-store';
import { createAdStore } from './db/ad-store';
import { createAuditLog, type AuditLog } from './domain/audit-log';
import { createFigures, type Figures } from './domain/figures';
import { createCampaigns, type Campaigns } from './domain/campaigns';
import { createDiscounts, type Discounts } from './domain/discounts';
import { createAds, type Ads } from './domain/ads';
import { auditConsumer } from './events/audit-consumer';
import { figuresConsumer } from './events/figures-consumer';
import { campaignConsumer } from './events/campaign-consumer';
import { adAttributionConsumer } from './events/ad-attribution';
import { mountCampaignsApi } from './internal/campaigns-api';
import { startOrphanDiscountSweep } from './jobs/orphan-discount-sweep';
import { startAdSettlement } from './jobs/ad-settlement';
import { resolvers } from './resolvers';

const typeDefs = typeDefsFrom(path.join(__dirname, 'schema.graphql'));

export type RunningOperations = RunningSubgraphService<{
  auditLog: AuditLog;
  figures: Figures;
  campaigns: Campaigns;
  discounts: Discounts;
  ads: Ads;
}>;

/**
 * Starts the operations subgraph: the GraphQL API over the audit log and the figures, the
 * consumers that keep them, campaigns (with the internal campaigns API orders prices
 * checkouts with, the discount-lifecycle consumer and the orphan-discount sweep), and the
 * outbox relay (audit events).
 */
export async function startOperationsSubgraph(config: OperationsConfig, logger: Logger, options: ConnectOptions = {}): Promise<RunningOperations> {
  return startSubgraphService('operations', config, logger, async (scope) => {
    const database = scope.database(operationsSchema, options);
    const bus = await scope.bus([Topics.auditEvents, Topics.orderEvents, Topics.paymentEvents, Topics.adEvents]);
    const relay = scope.relay(database, bus);
    const { signer } = scope;
    // Reads go to a replica when there are any; the consumers' transactions go to the primary.
    const auditLog = createAuditLog(createAuditStore(database.db));
    const figures = createFigures(createFiguresStore(database.db));
    const campaignStore = createCampaignStore(database.db, database.primary);
    const merchants = createInternalClient(merchantsApi, { baseUrl: config.PRODUCTS_URL, caller: 'operations', signer, timeoutMs: config.MERCHANTS_API_TIMEOUT_MS });
    const orders = createInternalClient(ordersApi, { baseUrl: config.ORDERS_URL, caller: 'operations', signer, timeoutMs: config.ORDERS_API_TIMEOUT_MS });
    const campaigns = createCampaigns({ store: campaignStore, merchants, relay });
    const discounts = createDiscounts({ store: campaignStore, orders, orphanSeconds: config.DISCOUNT_HOLD_ORPHAN_SECONDS, logger });
    const redis = scope.own(connectRedis(config, 'operations'), (client) => client.quit());
    const ads = createAds({ store: createAdStore(database.primary), reads: createAdStore(database.db), counters: adCounters(redis), merchants, relay, logger });
    return {
      subgraph: {
        typeDefs,
        resolvers,
        context: (caller) => createContext(caller, auditLog, figures, campaigns, ads),
        routes: (app) => mountCampaignsApi(app, discounts, signer, logger),
      },
      workers: [
        auditConsumer(bus, auditLog, logger),
        figuresConsumer(bus, figures, logger),
        campaignConsumer(bus, discounts, logger),
        worker('orphan-discount sweep', () => startOrphanDiscountSweep(discounts, config.DISCOUNT_HOLD_SWEEP_INTERVAL_MS, logger)),
        adAttributionConsumer(bus, ads, logger),
        worker('ad settlement', () => startAdSettlement(ads, config.AD_SETTLEMENT_INTERVAL_MS, logger)),
      ],
      exposes: { auditLog, figures, campaigns, discounts, ads },
    };
  });
}

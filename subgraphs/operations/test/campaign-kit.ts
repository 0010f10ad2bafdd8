import {
  authConfig,
  campaignsApi,
  connectDatabase,
  createInternalClient,
  createInternalSigner,
  createKafkaEventBus,
  createLogger,
  newEvent,
  newId,
  OrderStatusChanged,
  topicOf,
  type OrderStatus,
  type PricingBasket,
  type SubgraphName,
} from '@waimai/platform';
import { aPlace, gql, startStack, testInfraConfig, type Actor, type GraphQLResponse } from '@waimai/testkit';
import { operationsSchema } from '../src/db/schema';

export const CAMPAIGN_FIELDS = /* GraphQL */ `
  id kind title fundedBy merchant { id } merchantIds area { center { lat lng } radiusMeters } startsAt endsAt status running
  budgetCents perCustomerLimit stacksWith thresholdCents offCents percent capCents productIds createdAt
  figures { orders discountCents pendingOrders pendingCents couponsIssued couponsUsed budgetCents spentCents reservedCents leftCents }
`;
export const CREATE_CAMPAIGN = /* GraphQL */ `mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { ${CAMPAIGN_FIELDS} } }`;
export const CAMPAIGN = /* GraphQL */ `query ($id: ID!) { campaign(id: $id) { ${CAMPAIGN_FIELDS} } }`;

export interface CampaignView {
  id: string;
  status: string;
  running: boolean;
  figures: { orders: number; discountCents: number; pendingOrders: number; pendingCents: number; couponsIssued: number; couponsUsed: number; budgetCents: number; spentCents: number; reservedCents: number; leftCents: number };
  [field: string]: unknown;
}

const hour = 3600_000;

/**
 * Operations on a stack of its own with the neighbours campaigns talk to (products for who
 * owns a shop, orders for the orphan sweep), a campaigns API client calling as orders does,
 * and the stack's topics to publish orders' events on.
 */
export async function startCampaignStack(subgraphs: readonly SubgraphName[] = ['operations']) {
  const stack = await startStack({ subgraphs });
  const infra = testInfraConfig(stack.env as NodeJS.ProcessEnv);
  const logger = createLogger('campaigns-test', infra.LOG_LEVEL);
  const bus = createKafkaEventBus(infra, 'campaigns-test', logger);
  const database = connectDatabase(infra, 'operations', operationsSchema);
  // The services' own secret, as their config reads it from the stack's environment (its default when unset).
  const signer = createInternalSigner(authConfig.parse(stack.env).INTERNAL_SECRET);
  // 20 s: a test's 200 concurrent reservations queue on one campaign row.
  const api = createInternalClient(campaignsApi, { baseUrl: stack.subgraphUrls.operations as string, caller: 'orders', signer, timeoutMs: 20_000 });

  async function as<T>(actor: Actor | null, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    return gql<T>(stack.graphqlUrl, query, variables, actor?.token ?? null);
  }

  return {
    stack,
    infra,
    logger,
    db: database.primary,
    api,
    signer,
    as,

    /** A campaign created through createCampaign by `actor`; the input defaults to a running platform spend-and-save around `place`. */
    async aCampaign(actor: Actor, input: Record<string, unknown> = {}, place = aPlace()): Promise<CampaignView> {
      const result = await as<{ createCampaign: CampaignView }>(actor, CREATE_CAMPAIGN, {
        input: {
          kind: 'SPEND_AND_SAVE',
          title: '满30减5',
          fundedBy: 'PLATFORM',
          area: { center: place, radiusMeters: 5000 },
          startsAt: new Date(Date.now() - hour).toISOString(),
          endsAt: new Date(Date.now() + 24 * hour).toISOString(),
          budgetCents: 100_000,
          thresholdCents: 3000,
          offCents: 500,
          ...input,
        },
      });
      if (!result.data) throw new Error(`createCampaign failed: ${JSON.stringify(result.errors)}`);
      return result.data.createCampaign;
    },

    async campaign(actor: Actor, id: string): Promise<CampaignView> {
      const result = await as<{ campaign: CampaignView | null }>(actor, CAMPAIGN, { id });
      if (!result.data?.campaign) throw new Error(`campaign ${id} not visible: ${JSON.stringify(result.errors)}`);
      return result.data.campaign;
    },

    /** Publishes OrderStatusChanged events as orders would (one order's keep their order on its partition). */
    async publishOrderEvent(orderId: string, customerId: string, step: string, from: OrderStatus | null, to: OrderStatus, extra: { discountCents?: number } = {}) {
      const event = newEvent(OrderStatusChanged, orderId, {
        orderId,
        step,
        from,
        to,
        at: new Date().toISOString(),
        customerId,
        merchantId: 'merchant',
        merchantLocation: { lat: 0, lng: 0 },
        deliveryLocation: { lat: 0, lng: 0 },
        riderId: null,
        totalCents: 3000,
        dispatchRound: 0,
        needsAttention: false,
        wasOvertime: false,
        ...extra,
      });
      await bus.publish(topicOf(event), [event]);
    },

    async stop() {
      await bus.close();
      await database.close();
      await stack.stop();
    },
  };
}
export type CampaignStack = Awaited<ReturnType<typeof startCampaignStack>>;

/** A basket of one dish at `place` for a new customer, to be priced by the campaigns API. */
export function aBasket(place: { lat: number; lng: number }, overrides: Partial<PricingBasket> = {}): PricingBasket {
  return {
    customerId: `customer-${newId()}`,
    merchantId: newId(),
    merchantLocation: place,
    deliveryLocation: place,
    lines: [{ productId: newId(), unitPriceCents: 3000, quantity: 1 }],
    couponId: null,
    ...overrides,
  };
}

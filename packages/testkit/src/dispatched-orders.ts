import { gql } from './client';
import { eventually } from './eventually';
import { payOrder, aRiderAt } from './journeys';
import { aMerchant, anOrder, north, type Actor, type SeededMerchant, type SeededOrder } from './seed-kit';
import type { Stack } from './stack';

export interface OfferedOrder {
  merchant: SeededMerchant;
  order: SeededOrder;
  /** The riders the order was offered to, nearest first; each holds a live offer for it. */
  riders: Actor[];
}

const PENDING_OFFERS = '{ pendingOrderOffers { order { id } } }';

/**
 * A paid order of a new merchant in its own corner of the map, offered to `riderCount`
 * idle riders 300 m, 600 m, … from the shop: it returns once every one of them lists the
 * offer in pendingOrderOffers (so each may grab it). The stack's OFFER_SECONDS bounds how
 * long the offers stay live.
 */
export async function anOfferedOrder(stack: Stack, riderCount = 1): Promise<OfferedOrder> {
  const merchant = await aMerchant(stack, [{ name: '宫保鸡丁', priceCents: 1800, stock: 1000 }]);
  const riders = await Promise.all(Array.from({ length: riderCount }, (_, i) => aRiderAt(stack, north(merchant.location, 300 * (i + 1)))));
  const order = await anOrder(stack, merchant);
  await payOrder(stack, order.id, order.customer.token);
  for (const rider of riders) {
    await eventually(
      async () => {
        const result = await gql<{ pendingOrderOffers: Array<{ order: { id: string } }> }>(stack.graphqlUrl, PENDING_OFFERS, {}, rider.token);
        return result.data?.pendingOrderOffers.some((offer) => offer.order.id === order.id);
      },
      { timeoutMs: 30_000, what: `the offer of order ${order.id} to rider ${rider.sub}` },
    );
  }
  return { merchant, order, riders };
}

export interface GrabbedOrder extends OfferedOrder {
  /** The rider who grabbed it (riders[0]); the others were offered it and lost. */
  rider: Actor;
}

/** An offered order (see anOfferedOrder) that its nearest rider has grabbed: DELIVERING. */
export async function aGrabbedOrder(stack: Stack, riderCount = 1): Promise<GrabbedOrder> {
  const offered = await anOfferedOrder(stack, riderCount);
  const rider = offered.riders[0]!;
  const result = await gql<{ grabOrder: { status: string } }>(
    stack.graphqlUrl,
    'mutation($orderId: ID!) { grabOrder(orderId: $orderId) { id status } }',
    { orderId: offered.order.id },
    rider.token,
  );
  if (result.data?.grabOrder.status !== 'DELIVERING') throw new Error(`Grabbing order ${offered.order.id} failed: ${JSON.stringify(result.errors)}`);
  return { ...offered, rider };
}

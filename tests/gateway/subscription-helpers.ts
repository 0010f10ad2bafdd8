import { randomUUID } from 'node:crypto';
import { paymentsConfig, parseConfig } from '@waimai/platform';
import { anActor, gql, type Actor, type GraphQLSubscription, type Stack, type SubscriptionPayload } from '@waimai/testkit';
import { SIGNATURE_HEADER, signCallback } from '../../subgraphs/payments/src/domain/callback-signature';

/** The contract's TrackOrder (shared/contract/operations.graphql). */
export const TRACK_ORDER = `subscription TrackOrder($orderId: ID!) {
  orderUpdated(orderId: $orderId) {
    id
    status
    rider { id name }
    merchant { name }
  }
}`;

/** The contract's OrderOffers. */
export const ORDER_OFFERS = `subscription OrderOffers {
  orderOffers {
    id
    distanceMeters
    expiresAt
    order {
      id
      status
      totalCents
      deliveryAddress
      deliveryLocation { lat lng }
      merchant { id name address location { lat lng } }
    }
  }
}`;

export interface TrackedOrder {
  orderUpdated: { id: string; status: string; rider: { id: string; name: string } | null; merchant: { name: string } };
}

/**
 * Pays an order as its customer and its provider would: initiatePayment through the gateway,
 * then the provider's signed SUCCESS callback to the gateway's public webhook URL.
 */
export async function payOrder(stack: Stack, orderId: string, customerToken: string): Promise<void> {
  const initiated = await gql<{ initiatePayment: { id: string; amountCents: number } }>(
    stack.graphqlUrl,
    'mutation Pay($orderId: ID!) { initiatePayment(orderId: $orderId, paymentMethod: ALIPAY) { id amountCents } }',
    { orderId },
    customerToken,
  );
  const payment = initiated.data?.initiatePayment;
  if (!payment) throw new Error(`initiatePayment failed: ${JSON.stringify(initiated.errors)}`);
  const { PAYMENT_WEBHOOK_SECRET } = parseConfig(paymentsConfig, stack.env);
  const body = JSON.stringify({
    eventId: `evt_${randomUUID()}`,
    paymentId: payment.id,
    orderId,
    paymentStatus: 'SUCCESS',
    amountCents: payment.amountCents,
    providerTxnId: `txn_${randomUUID()}`,
  });
  const response = await fetch(`${stack.gatewayUrl}/webhooks/payments/sandbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(PAYMENT_WEBHOOK_SECRET, body) },
    body,
  });
  if (!response.ok) throw new Error(`The payment webhook answered ${response.status}: ${await response.text()}`);
}

/** Reads payloads until one satisfies `wanted`; returns every payload read, that one last. */
export async function payloadsUntil<T>(
  subscription: GraphQLSubscription<T>,
  wanted: (payload: SubscriptionPayload<T>) => boolean,
  timeoutMs = 30_000,
): Promise<Array<SubscriptionPayload<T>>> {
  const deadline = Date.now() + timeoutMs;
  const read: Array<SubscriptionPayload<T>> = [];
  for (;;) {
    const payload = await subscription.next(Math.max(1, deadline - Date.now()));
    read.push(payload);
    if (wanted(payload)) return read;
  }
}

/** A rider registered, online and reporting `location`, through the gateway as the rider app does. */
export async function aRiderAt(stack: Stack, location: { lat: number; lng: number }): Promise<Actor> {
  const rider = await anActor('RIDER');
  const steps: Array<[string, Record<string, unknown>]> = [
    ['mutation Register($input: RegisterRiderInput!) { registerRider(input: $input) { id } }', { input: { name: `骑手${rider.sub.slice(-4)}`, phone: '13800138000' } }],
    ['mutation { goOnline { id status } }', {}],
    ['mutation Report($location: GeoPointInput!) { reportLocation(location: $location) }', { location }],
  ];
  for (const [query, variables] of steps) {
    const result = await gql(stack.graphqlUrl, query, variables, rider.token);
    if (result.errors?.length) throw new Error(`Setting up a rider failed: ${JSON.stringify(result.errors)}`);
  }
  return rider;
}

import { randomUUID } from 'node:crypto';
import { parseConfig, paymentsConfig, SIGNATURE_HEADER, signCallback } from '@waimai/platform';
import { gql } from './client';
import { contractOperation } from './contract';
import { anActor, type Actor } from './seed-kit';
import type { GraphQLSubscription, SubscriptionPayload } from './socket';
import type { Stack } from './stack';

/*
 * Client journeys through the gateway, as the apps make them: the contract's operations and
 * the steps tests repeat (paying as the provider would, a rider coming online).
 */

/** The contract's operations (schema/contract/operations.graphql) that journeys and tests send. */
export const TRACK_ORDER = contractOperation('TrackOrder');

export const ORDER_OFFERS = contractOperation('OrderOffers');

export interface TrackedOrder {
  orderUpdated: { id: string; status: string; rider: { id: string; name: string } | null; merchant: { name: string } };
}

export const ORDER_INFO = contractOperation('OrderInfo');

export interface OrderInfo {
  id: string;
  status: string;
  wasOvertime: boolean;
  totalCents: number;
  paidAt: string | null;
  grabbedAt: string | null;
  deliveredAt: string | null;
  closedAt: string | null;
  merchant: { id: string; name: string };
  rider: { id: string; name: string } | null;
  payment: { id: string; status: string; paymentMethod: string; amountCents: number; refundedCents: number } | null;
  timeline: Array<{ status: string; at: string }>;
}

export async function orderInfo(stack: Stack, id: string, token: string): Promise<OrderInfo | null> {
  const result = await gql<{ order: OrderInfo | null }>(stack.graphqlUrl, ORDER_INFO, { id }, token);
  if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  return result.data!.order;
}

export const INITIATE_PAYMENT = contractOperation('InitiatePayment');

export async function initiatePayment(stack: Stack, orderId: string, token: string) {
  const result = await gql<{ initiatePayment: { id: string; amountCents: number; payUrl: string; status: string } }>(
    stack.graphqlUrl,
    INITIATE_PAYMENT,
    { orderId, paymentMethod: 'ALIPAY' },
    token,
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.initiatePayment;
}

/** What the payment provider sends: the signed callback, to the gateway's webhook URL. */
export async function providerCallback(stack: Stack, body: Record<string, unknown>) {
  const { PAYMENT_WEBHOOK_SECRET } = parseConfig(paymentsConfig, stack.env);
  const raw = JSON.stringify(body);
  return fetch(`${stack.gatewayUrl}/webhooks/payments/sandbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(PAYMENT_WEBHOOK_SECRET, raw) },
    body: raw,
  });
}

/** The contract's callback body for `payment` of `orderId`, with a fresh provider event id. */
export function providerCallbackBody(payment: { id: string; amountCents: number }, orderId: string, paymentStatus: 'SUCCESS' | 'FAILURE' = 'SUCCESS') {
  return {
    eventId: `evt_${randomUUID()}`,
    paymentId: payment.id,
    orderId,
    paymentStatus,
    amountCents: payment.amountCents,
    providerTxnId: `txn_${randomUUID()}`,
  };
}

/** Pays an order as its customer: initiatePayment, then the provider reports success. */
export async function payOrder(stack: Stack, orderId: string, token: string) {
  const payment = await initiatePayment(stack, orderId, token);
  const response = await providerCallback(stack, providerCallbackBody(payment, orderId));
  if (!response.ok) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  return payment;
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

import { randomUUID } from 'node:crypto';
import { paymentsConfig, parseConfig } from '@waimai/platform';
import { gql, type Stack } from '@waimai/testkit';
import { SIGNATURE_HEADER, signCallback } from '../../subgraphs/payments/src/domain/callback-signature';

export const ORDER_INFO = `query OrderInfo($id: ID!) {
  order(id: $id) {
    id status wasOvertime totalCents createdAt paidAt grabbedAt pickedUpAt deliveredAt deadlineAt closedAt
    deliveryAddress deliveryLocation { lat lng }
    merchant { id name location { lat lng } }
    items { productName unitPriceCents quantity subtotalCents }
    rider { id name location { lat lng } }
    payment { id status paymentMethod amountCents refundedCents }
    timeline { status at }
  }
}`;

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

export const INITIATE_PAYMENT = `mutation InitiatePayment($orderId: ID!, $paymentMethod: PaymentMethod!) {
  initiatePayment(orderId: $orderId, paymentMethod: $paymentMethod) { id status amountCents paymentMethod payUrl qrCode expiresAt order { id status } }
}`;

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

/** Pays an order as its customer: initiatePayment, then the provider reports success. */
export async function payOrder(stack: Stack, orderId: string, token: string) {
  const payment = await initiatePayment(stack, orderId, token);
  const response = await providerCallback(stack, {
    eventId: `evt_${randomUUID()}`,
    paymentId: payment.id,
    orderId,
    paymentStatus: 'SUCCESS',
    amountCents: payment.amountCents,
    providerTxnId: `txn_${randomUUID()}`,
  });
  if (!response.ok) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  return payment;
}

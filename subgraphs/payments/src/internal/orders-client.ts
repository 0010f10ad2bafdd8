import { orderStatuses, z, type InternalSigner, type OrderStatus } from '@waimai/platform';

/** What the orders service's internal API says about an order (GET /internal/orders/:orderId). */
const orderForPayment = z.object({
  id: z.string().min(1),
  customerId: z.string().min(1),
  status: z.enum(orderStatuses),
  totalCents: z.number().int().min(0),
  merchantId: z.string().min(1),
  // Optional: when present, a payment link never outlives the order's own payment window.
  paymentDueAt: z.string().datetime({ offset: true }).nullish(),
});

export interface OrderForPayment {
  id: string;
  customerId: string;
  status: OrderStatus;
  totalCents: number;
  merchantId: string;
  paymentDueAt: Date | null;
}

export class OrdersUnavailableError extends Error {
  override name = 'OrdersUnavailableError';
}

/**
 * The one synchronous call payments makes: initiatePayment needs the order's owner, status
 * and authoritative total while the customer waits. Authenticated with a service token.
 */
export function createOrdersClient(options: { baseUrl: string; signer: InternalSigner; timeoutMs: number }) {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    /** The order, or null when the orders service does not know it. */
    async orderForPayment(orderId: string): Promise<OrderForPayment | null> {
      let response: Response;
      try {
        response = await fetch(`${base}/internal/orders/${encodeURIComponent(orderId)}`, {
          headers: { authorization: `Bearer ${await options.signer.signService('payments')}`, accept: 'application/json' },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (err) {
        throw new OrdersUnavailableError(`The orders service did not answer for order ${orderId}: ${(err as Error).message}`);
      }
      if (response.status === 404) return null;
      if (response.status !== 200) {
        throw new OrdersUnavailableError(`The orders service answered ${response.status} for order ${orderId}.`);
      }
      const parsed = orderForPayment.safeParse(await response.json());
      if (!parsed.success) throw new OrdersUnavailableError(`The orders service sent an order this service cannot read: ${parsed.error.message}`);
      const { paymentDueAt, ...order } = parsed.data;
      return { ...order, paymentDueAt: paymentDueAt ? new Date(paymentDueAt) : null };
    },
  };
}
export type OrdersClient = ReturnType<typeof createOrdersClient>;

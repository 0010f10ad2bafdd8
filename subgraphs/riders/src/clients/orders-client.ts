import { createInternalSigner, type Logger } from '@waimai/platform';

/**
 * - notified: orders recorded the offers and the order is NOTIFIED for this round (also when it already was);
 * - moved-on: orders refused (409): the order was grabbed, cancelled or is past this round;
 * - not-found: orders has no such order (404).
 */
export type NotifyOutcome = 'notified' | 'moved-on' | 'not-found';

/** The orders service's internal API, called with a service token signed as `riders`. */
export function createOrdersClient(options: { ORDERS_URL: string; INTERNAL_SECRET: string; ORDERS_API_TIMEOUT_MS: number }, logger: Logger) {
  const signer = createInternalSigner(options.INTERNAL_SECRET);
  const log = logger.child({ component: 'orders-client' });

  return {
    /** Tells orders which riders were offered the order in `round`; idempotent per round in orders. */
    async notifyOffers(orderId: string, round: number, riderIds: string[], expiresAt: Date): Promise<NotifyOutcome> {
      const response = await fetch(`${options.ORDERS_URL}/internal/orders/${encodeURIComponent(orderId)}/offers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.signService('riders')}` },
        body: JSON.stringify({ round, riderIds, expiresAt: expiresAt.toISOString() }),
        signal: AbortSignal.timeout(options.ORDERS_API_TIMEOUT_MS),
      });
      if (response.ok) return 'notified';
      if (response.status === 409) return 'moved-on';
      if (response.status === 404) return 'not-found';
      log.error({ orderId, round, status: response.status, body: await response.text() }, 'The orders API answered unexpectedly.');
      throw new Error(`orders notify answered ${response.status}`);
    },
  };
}
export type OrdersClient = ReturnType<typeof createOrdersClient>;

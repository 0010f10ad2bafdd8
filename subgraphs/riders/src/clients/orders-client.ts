import { createInternalSigner, type Logger } from '@waimai/platform';

/**
 * - notified: orders recorded the offers and the order is NOTIFIED for this round (also when it already was);
 * - moved-on: orders refused (409): the order was grabbed, cancelled or is past this round;
 * - not-found: orders has no such order (404).
 */
export type NotifyOutcome = 'notified' | 'moved-on' | 'not-found';

/**
 * - flagged: the order is CREATED before `round` and flagged needsAttention (also when it already was);
 * - moved-on: orders refused (409): the order was offered, grabbed or cancelled meanwhile;
 * - not-found: orders has no such order (404).
 */
export type FlagOutcome = 'flagged' | 'moved-on' | 'not-found';

/** The orders service's internal API, called with a service token signed as `riders`. */
export function createOrdersClient(options: { ORDERS_URL: string; INTERNAL_SECRET: string; ORDERS_API_TIMEOUT_MS: number }, logger: Logger) {
  const signer = createInternalSigner(options.INTERNAL_SECRET);
  const log = logger.child({ component: 'orders-client' });

  async function post(orderId: string, path: string, body: unknown, what: string): Promise<'ok' | 'moved-on' | 'not-found'> {
    const response = await fetch(`${options.ORDERS_URL}/internal/orders/${encodeURIComponent(orderId)}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.signService('riders')}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.ORDERS_API_TIMEOUT_MS),
    });
    if (response.ok) return 'ok';
    if (response.status === 409) return 'moved-on';
    if (response.status === 404) return 'not-found';
    log.error({ orderId, status: response.status, body: await response.text() }, `The orders API answered ${what} unexpectedly.`);
    throw new Error(`orders ${what} answered ${response.status}`);
  }

  return {
    /** Tells orders which riders were offered the order in `round`; idempotent per round in orders. */
    async notifyOffers(orderId: string, round: number, riderIds: string[], expiresAt: Date): Promise<NotifyOutcome> {
      const outcome = await post(orderId, 'offers', { round, riderIds, expiresAt: expiresAt.toISOString() }, 'notify');
      return outcome === 'ok' ? 'notified' : outcome;
    },

    /** Dispatch gave up on round `round`, which reached nobody within the dispatch window: orders flags the order for operations. Idempotent. */
    async flagUnreached(orderId: string, round: number): Promise<FlagOutcome> {
      const outcome = await post(orderId, 'unreached', { round }, 'unreached');
      return outcome === 'ok' ? 'flagged' : outcome;
    },
  };
}
export type OrdersClient = ReturnType<typeof createOrdersClient>;

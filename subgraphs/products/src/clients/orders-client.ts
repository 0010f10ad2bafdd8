import { createInternalSigner, z } from '@waimai/platform';

const existingOrders = z.object({ existing: z.array(z.string()) });

/** The orders service's internal API, called with a service token signed as `products`. */
export function createOrdersClient(options: { ORDERS_URL: string; INTERNAL_SECRET: string; ORDERS_API_TIMEOUT_MS: number }) {
  const signer = createInternalSigner(options.INTERNAL_SECRET);
  const base = options.ORDERS_URL.replace(/\/+$/, '');

  return {
    /**
     * Which of `orderIds` exist in orders (read on its primary). Throws when orders does not
     * answer, or answers anything but 200 with that list: the caller must then assume nothing.
     */
    async existing(orderIds: readonly string[]): Promise<Set<string>> {
      let response: Response;
      try {
        response = await fetch(`${base}/internal/orders/exists`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.signService('products')}` },
          body: JSON.stringify({ orderIds }),
          signal: AbortSignal.timeout(options.ORDERS_API_TIMEOUT_MS),
        });
      } catch (err) {
        throw new Error(`The orders API did not answer which orders exist: ${(err as Error).message}`, { cause: err });
      }
      if (response.status !== 200) throw new Error(`The orders API answered ${response.status} to which orders exist.`);
      return new Set(existingOrders.parse(await response.json()).existing);
    },
  };
}
export type OrdersClient = ReturnType<typeof createOrdersClient>;

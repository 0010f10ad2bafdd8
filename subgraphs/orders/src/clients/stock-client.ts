import { createInternalSigner, z, type Logger } from '@waimai/platform';

const reservationSchema = z.object({
  orderId: z.string(),
  merchant: z.object({
    id: z.string(),
    ownerId: z.string(),
    name: z.string(),
    lat: z.number(),
    lng: z.number(),
    deliveryRadiusMeters: z.number().int(),
  }),
  lines: z.array(z.object({ productId: z.string(), name: z.string(), unitPriceCents: z.number().int(), quantity: z.number().int() })),
});
export type StockReservation = z.infer<typeof reservationSchema>;

export type ReserveOutcome =
  | { ok: true; reservation: StockReservation }
  | { ok: false; code: 'OUT_OF_STOCK'; productIds: string[] }
  | { ok: false; code: 'BAD_USER_INPUT'; message: string; field: string; problem: string }
  | { ok: false; code: 'RELEASED' };

const refusalSchema = z.object({
  code: z.string(),
  message: z.string().optional(),
  productIds: z.array(z.string()).optional(),
  /** The input field at fault (`deliveryLocation`) and what is wrong with it; `items` when absent. */
  field: z.string().optional(),
  problem: z.string().optional(),
});

/** The products service's internal stock API, called with a service token. */
export function createStockClient(options: { PRODUCTS_URL: string; INTERNAL_SECRET: string; STOCK_API_TIMEOUT_MS: number }, logger: Logger) {
  const signer = createInternalSigner(options.INTERNAL_SECRET);
  const log = logger.child({ component: 'stock-client' });

  async function post(path: string, body: unknown): Promise<Response> {
    try {
      return await fetch(`${options.PRODUCTS_URL}/internal/stock${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await signer.signService('orders')}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.STOCK_API_TIMEOUT_MS),
      });
    } catch (err) {
      // fetch rejects with a DOMException on timeout: one Error that says what failed, for the logs.
      const timedOut = (err as { name?: unknown }).name === 'TimeoutError';
      throw new Error(timedOut ? `The stock API did not answer ${path} within ${options.STOCK_API_TIMEOUT_MS} ms.` : `The stock API could not be reached (${path}).`, { cause: err });
    }
  }

  return {
    async reserve(orderId: string, items: Array<{ productId: string; quantity: number }>, deliverTo: { lat: number; lng: number }): Promise<ReserveOutcome> {
      const response = await post('/reservations', { orderId, items, deliverTo });
      const body: unknown = await response.json();
      if (response.ok) return { ok: true, reservation: reservationSchema.parse(body) };
      const refusal = refusalSchema.parse(body);
      if (response.status === 409 && refusal.code === 'OUT_OF_STOCK') return { ok: false, code: 'OUT_OF_STOCK', productIds: refusal.productIds ?? [] };
      if (response.status === 409) return { ok: false, code: 'RELEASED' };
      if (response.status === 422) {
        const message = refusal.message ?? 'Invalid items.';
        return { ok: false, code: 'BAD_USER_INPUT', message, field: refusal.field ?? 'items', problem: refusal.problem ?? message };
      }
      log.error({ status: response.status, body }, 'The stock API answered unexpectedly.');
      throw new Error(`stock API answered ${response.status}`);
    },

    /** Idempotent; also leaves a tombstone when the hold never arrived. */
    async release(orderId: string): Promise<void> {
      const response = await post(`/reservations/${encodeURIComponent(orderId)}/release`, {});
      if (!response.ok) throw new Error(`stock release answered ${response.status}`);
    },
  };
}
export type StockClient = ReturnType<typeof createStockClient>;

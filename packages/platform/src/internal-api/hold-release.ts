import { z } from 'zod';
import { defineInternalCall, noBody } from './definition';

/**
 * The call that gives back what a service holds for an order (products' stock, operations'
 * discounts), once: POST <prefix>/reservations/:orderId/release, idempotent, called by orders.
 * With nothing held yet, the holder leaves a tombstone so that a late hold gets nothing.
 */
export function holdReleaseCall() {
  return defineInternalCall({
    method: 'POST',
    path: '/reservations/:orderId/release',
    request: noBody,
    response: z.object({ released: z.boolean() }),
    refusals: {},
    idempotent: true,
    callers: ['orders'],
  });
}

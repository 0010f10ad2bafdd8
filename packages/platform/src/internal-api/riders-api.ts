import { z } from 'zod';
import { riderStatuses } from '../event-catalog';
import { defineInternalApi, defineInternalCall, noBody } from './definition';
import type { InternalClient } from './client';

/**
 * Riders' internal API: orders asks whether a rider exists and may take an order before staff
 * hand one to them (reassignOrder), so that a mistake is refused while the operator waits.
 */
export const ridersApi = defineInternalApi({
  name: 'riders API',
  service: 'riders',
  prefix: '/internal/riders',
  bodyLimit: '16kb',
  calls: {
    /** The rider as riders knows them now, read on riders' primary; an unknown id is `exists: false`, not a refusal. */
    riderStatus: defineInternalCall({
      method: 'GET',
      path: '/:riderId/status',
      request: noBody,
      response: z.object({
        exists: z.boolean(),
        suspended: z.boolean(),
        /** Null when the rider does not exist. */
        status: z.enum(riderStatuses).nullable(),
      }),
      refusals: {},
      idempotent: true,
      callers: ['orders'],
    }),
  },
});
export type RidersApiClient = InternalClient<typeof ridersApi>;
export type RiderStatusAnswer = z.output<typeof ridersApi.calls.riderStatus.response>;

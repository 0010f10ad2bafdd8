import { answer, mountInternalApi, ridersApi, type InternalSigner, type Logger } from '@waimai/platform';
import type { RiderStore } from '../db/rider-store';

// The app's type as platform takes it: riders does not depend on express itself.
type App = Parameters<typeof mountInternalApi>[0];

/** Serves `ridersApi` (packages/platform) to orders. */
export function mountRidersApi(app: App, store: Pick<RiderStore, 'byId'>, signer: InternalSigner, logger: Logger): void {
  mountInternalApi(
    app,
    ridersApi,
    {
      // Read on the primary: a rider suspended a moment ago must not be handed an order.
      async riderStatus({ params }) {
        const rider = await store.byId(params.riderId);
        if (!rider) return answer({ exists: false, suspended: false, status: null });
        return answer({ exists: true, suspended: rider.suspended, status: rider.status });
      },
    },
    { signer, logger },
  );
}

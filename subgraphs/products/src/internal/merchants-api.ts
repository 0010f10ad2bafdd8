import type { Express } from 'express';
import { answer, merchantsApi, mountInternalApi, type InternalSigner, type Logger } from '@waimai/platform';
import type { MerchantStore } from '../db/merchant-store';

/** Serves `merchantsApi` (packages/platform) to operations and the riders dispatcher. */
export function mountMerchantsApi(app: Express, store: Pick<MerchantStore, 'byIds'>, signer: InternalSigner, logger: Logger): void {
  mountInternalApi(
    app,
    merchantsApi,
    {
      // Read on the primary: a shop suspended a moment ago must not buy an ad.
      async merchantStatus({ params }) {
        const [merchant] = await store.byIds([params.merchantId]);
        if (!merchant) return answer({ exists: false, ownerId: null, suspended: false });
        return answer({ exists: true, ownerId: merchant.ownerId, suspended: merchant.suspended });
      },

      // Merchant's public fields (anyone may read them through Merchant), for the riders dispatcher.
      async merchantCard({ params }) {
        const [merchant] = await store.byIds([params.merchantId]);
        if (!merchant) return answer({ exists: false, card: null });
        return answer({ exists: true, card: { id: merchant.id, name: merchant.name, address: merchant.address, location: { lat: merchant.lat, lng: merchant.lng } } });
      },
    },
    { signer, logger },
  );
}

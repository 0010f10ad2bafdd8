import { answer, campaignsApi, mountInternalApi, type InternalSigner, type Logger } from '@waimai/platform';
import type { Discounts } from '../domain/discounts';

// The app's type as platform takes it: operations does not depend on express itself.
type App = Parameters<typeof mountInternalApi>[0];

/**
 * Serves `campaignsApi` (packages/platform) to orders while a customer waits on quoteOrder
 * and createOrder. Outside /graphql, never routed by the gateway, and only with a service token.
 */
export function mountCampaignsApi(app: App, discounts: Pick<Discounts, 'quote' | 'reserve' | 'release'>, signer: InternalSigner, logger: Logger): void {
  mountInternalApi(
    app,
    campaignsApi,
    {
      quote: async ({ body }) => answer(await discounts.quote(body)),
      reserve: async ({ body }) => answer(await discounts.reserve(body)),
      release: async ({ params }) => answer(await discounts.release(params.orderId)),
    },
    { signer, logger },
  );
}

import { loaderById, loaderOfGroups, type Caller } from '@waimai/platform';
import type { AuditLog } from './domain/audit-log';
import type { Figures } from './domain/figures';
import type { Campaigns } from './domain/campaigns';
import type { Ads } from './domain/ads';

export interface Context {
  caller: Caller;
  auditLog: AuditLog;
  figures: Figures;
  campaigns: Campaigns;
  ads: Ads;
  /** Per request, so a page of coupons loads its campaigns in one query (and a page of placements their figures). */
  loaders: { campaign: ReturnType<typeof campaignLoader>; adFigures: ReturnType<typeof adFiguresLoader> };
}

const campaignLoader = (campaigns: Campaigns) => loaderById((ids) => campaigns.campaignsByIds(ids));
const adFiguresLoader = (ads: Ads) => loaderOfGroups((ids) => ads.figuresByIds(ids), (figures) => figures.placementId);

/** Per request: the caller, the use cases and the DataLoaders. */
export function createContext(caller: Caller, auditLog: AuditLog, figures: Figures, campaigns: Campaigns, ads: Ads): Context {
  return { caller, auditLog, figures, campaigns, ads, loaders: { campaign: campaignLoader(campaigns), adFigures: adFiguresLoader(ads) } };
}

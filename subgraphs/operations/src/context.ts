import { loaderById, type Caller } from '@waimai/platform';
import type { AuditLog } from './domain/audit-log';
import type { Figures } from './domain/figures';
import type { Campaigns } from './domain/campaigns';

export interface Context {
  caller: Caller;
  auditLog: AuditLog;
  figures: Figures;
  campaigns: Campaigns;
  /** Per request, so a page of coupons loads its campaigns in one query. */
  loaders: { campaign: ReturnType<typeof campaignLoader> };
}

const campaignLoader = (campaigns: Campaigns) => loaderById((ids) => campaigns.campaignsByIds(ids));

/** Per request: the caller, the use cases and the DataLoaders. */
export function createContext(caller: Caller, auditLog: AuditLog, figures: Figures, campaigns: Campaigns): Context {
  return { caller, auditLog, figures, campaigns, loaders: { campaign: campaignLoader(campaigns) } };
}

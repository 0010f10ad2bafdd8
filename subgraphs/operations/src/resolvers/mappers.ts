import type { Connection, Edge } from '@waimai/platform';
import type { MerchantTotals } from '../db/figures-store';
import type { AdPlacementRow, AuditEntryRow, CampaignRow, CouponRow } from '../db/schema';
import type { RiderPerformance } from '../domain/figures';

export type AuditEntryConnectionModel = Connection<AuditEntryRow>;
export type AuditEntryEdgeModel = Edge<AuditEntryRow>;
export type MerchantFiguresConnectionModel = Connection<MerchantTotals>;
export type MerchantFiguresEdgeModel = Edge<MerchantTotals>;
export type RiderFiguresConnectionModel = Connection<RiderPerformance>;
export type RiderFiguresEdgeModel = Edge<RiderPerformance>;
export interface MerchantReference {
  id: string;
}
export interface RiderReference {
  id: string;
}
export type CampaignConnectionModel = Connection<CampaignRow>;
export type CampaignEdgeModel = Edge<CampaignRow>;
export type CouponConnectionModel = Connection<CouponRow>;
export type CouponEdgeModel = Edge<CouponRow>;
export type AdPlacementConnectionModel = Connection<AdPlacementRow>;
export type AdPlacementEdgeModel = Edge<AdPlacementRow>;

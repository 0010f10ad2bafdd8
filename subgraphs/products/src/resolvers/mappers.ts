import type { Connection, Edge } from '@waimai/platform';
import type { MerchantRow, ProductRow } from '../db/schema';

export interface NearbyMerchantModel {
  distanceMeters: number;
  merchant: MerchantRow;
}
export type ProductConnectionModel = Connection<ProductRow>;
export type ProductEdgeModel = Edge<ProductRow>;
export type MerchantConnectionModel = Connection<MerchantRow>;
export type MerchantEdgeModel = Edge<MerchantRow>;

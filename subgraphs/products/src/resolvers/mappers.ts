import type { Connection, Edge } from '@waimai/platform';
import type { MerchantRow, ProductRow } from '../db/schema';

export type { NearbyShop as NearbyMerchantModel } from '../domain/sponsored';
export type ProductConnectionModel = Connection<ProductRow>;
export type ProductEdgeModel = Edge<ProductRow>;
export type MerchantConnectionModel = Connection<MerchantRow>;
export type MerchantEdgeModel = Edge<MerchantRow>;

import type { Connection, Edge } from '@waimai/platform';
import type { OrderRow } from '../db/schema';

export type OrderConnectionModel = Connection<OrderRow>;
export type OrderEdgeModel = Edge<OrderRow>;
export interface MerchantReference {
  id: string;
  // From products (@requires): null unless the caller is the owner or staff.
  ownerId?: string | null;
}
export interface RiderReference {
  id: string;
}
export interface ProductReference {
  id: string;
}

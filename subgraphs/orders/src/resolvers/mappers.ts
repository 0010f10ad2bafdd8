import type { Connection, Edge } from '@waimai/platform';
import type { OrderRow } from '../db/schema';

export type OrderConnectionModel = Connection<OrderRow>;
export type OrderEdgeModel = Edge<OrderRow>;
export interface MerchantReference {
  id: string;
  ownerId?: string;
}
export interface RiderReference {
  id: string;
}
export interface ProductReference {
  id: string;
}

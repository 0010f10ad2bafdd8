import type { Connection, Edge } from '@waimai/platform';
import type { PaymentRow, RefundRow } from '../db/schema';

/** An Order as payments knows it: its key. The orders subgraph resolves everything else. */
export interface OrderReference {
  id: string;
}

export type PaymentConnectionModel = Connection<PaymentRow>;
export type PaymentEdgeModel = Edge<PaymentRow>;
export type RefundConnectionModel = Connection<RefundRow>;
export type RefundEdgeModel = Edge<RefundRow>;

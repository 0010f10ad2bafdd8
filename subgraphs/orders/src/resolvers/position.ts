import type { OrderRow } from '../db/schema';

/** The keyset position of an order in newest-first lists. */
export const orderPosition = (order: OrderRow) => ({ sortKey: order.createdAt.toISOString(), id: order.id });

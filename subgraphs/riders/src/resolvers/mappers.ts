import type { RiderRow } from '../db/schema';

/**
 * An Order as riders knows it: its key, plus the rider id the gateway sends along for
 * Order.rider (`@requires(fields: "riderId")`). The orders subgraph resolves everything else.
 */
export interface OrderReference {
  id: string;
  riderId?: string | null;
}

/**
 * A rider as resolvers pass it on: the row, plus the order it was reached through
 * (Order.rider), which decides whether its location may be shown (see canSeeRiderLocation).
 */
export type RiderModel = RiderRow & { viaOrderId?: string };

/**
 * An Order as riders knows it: its key, plus the rider id the gateway sends along for
 * Order.rider (`@requires(fields: "riderId")`). The orders subgraph resolves everything else.
 */
export interface OrderReference {
  id: string;
  riderId?: string | null;
}

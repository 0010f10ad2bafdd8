/** An Order as payments knows it: its key. The orders subgraph resolves everything else. */
export interface OrderReference {
  id: string;
}

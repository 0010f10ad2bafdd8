import type { AdPlacementResolvers } from '../generated/graphql';

export const AdPlacement: AdPlacementResolvers = {
  merchant: (placement) => ({ id: placement.merchantId }),
  center: (placement) => ({ lat: placement.lat, lng: placement.lng }),
  // One load per page of placements (the loader batches their ids).
  figures: async (placement, _args, { loaders }) => {
    const [figures] = await loaders.adFigures.load(placement.id);
    if (!figures) throw new Error(`The figures of placement ${placement.id} were not found although the placement was.`);
    return figures;
  },
};

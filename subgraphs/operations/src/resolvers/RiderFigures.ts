import type { RiderFiguresResolvers } from '../generated/graphql';

export const RiderFigures: RiderFiguresResolvers = {
  rider: (row) => ({ id: row.riderId }),
};

import DataLoader from 'dataloader';
import { loaderById, type Caller } from '@waimai/platform';
import type { DispatchStore } from './db/dispatch-store';
import type { LiveLocation, LocationIndex } from './db/location-index';
import type { RiderStore } from './db/rider-store';
import type { OrderOfferRow, RiderRow } from './db/schema';
import type { RiderService } from './domain/riders';

export interface RidersStores {
  riders: RiderStore;
  dispatch: DispatchStore;
  locations: LocationIndex;
}

export interface Context {
  caller: Caller;
  riders: RiderService;
  stores: RidersStores;
  loaders: {
    rider: DataLoader<string, RiderRow | null>;
    offer: DataLoader<string, OrderOfferRow | null>;
    /** The rider delivering each order now (null once delivered or cancelled). */
    assignedRider: DataLoader<string, string | null>;
    /** From Redis: fresher than the location persisted in MySQL. */
    liveLocation: DataLoader<string, LiveLocation | null>;
  };
}

/** Per request: the caller and fresh DataLoaders, so `_entities` batches make one query per kind. */
export function createContext(caller: Caller, riders: RiderService, stores: RidersStores): Context {
  return {
    caller,
    riders,
    stores,
    loaders: {
      rider: loaderById((ids) => stores.riders.byIds(ids)),
      offer: loaderById((ids) => stores.dispatch.offersByIds(ids)),
      assignedRider: new DataLoader(async (orderIds) => {
        const assigned = await stores.dispatch.assignedRiders(orderIds);
        return orderIds.map((orderId) => assigned.get(orderId) ?? null);
      }),
      liveLocation: new DataLoader((ids) => stores.locations.liveLocations(ids)),
    },
  };
}

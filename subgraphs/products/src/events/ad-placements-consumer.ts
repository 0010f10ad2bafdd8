import { AdPlacementChanged, eventConsumer, on, type EventBus, type EventConsumer, type Logger } from '@waimai/platform';
import type { AdPlacementStore } from '../db/ad-placement-store';

/**
 * Keeps the placements read model (ad_placements) from ads.events, group `products.ad-placements`.
 * A snapshot is kept only when newer than the row, so redeliveries and replays change nothing,
 * and a new group starts at the oldest retained event: the model is rebuilt from the topic.
 */
export function adPlacementsConsumer(bus: EventBus, placements: Pick<AdPlacementStore, 'keep'>, logger: Logger): EventConsumer {
  const log = logger.child({ component: 'ad-placements-consumer' });
  return eventConsumer({
    group: 'products.ad-placements',
    bus,
    logger,
    // Nobody waits on it: its fetches gather events (about one a second under load).
    batched: true,
    fromBeginning: true,
    handlers: [
      on(AdPlacementChanged, async (event) => {
        const kept = await placements.keep(event.data);
        if (!kept) log.debug({ eventId: event.id, placementId: event.data.placementId }, 'A placement snapshot no newer than the one kept was skipped.');
      }),
    ],
  });
}

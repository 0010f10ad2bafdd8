import type { TopicName } from '@waimai/platform';
import type { EventFeedEntry, EventSource, LocalProducer, LocalSourceSettings, RawEvent, RoutedEvent } from './event-sources';
import { subscriptionMetrics } from './subscription-metrics';

/** Someone on this gateway process listening on one field and key. */
export interface EventSubscriber {
  /** Called synchronously for each event routed to it; must not block. */
  deliver(event: RoutedEvent): void;
}

// 10 000 event ids: a relay that republishes after a crash does so within seconds, i.e. far
// fewer events than this on one topic; the set costs under 1 MB.
const RECENT_EVENT_IDS = 10_000;

/**
 * Remembers the last `capacity` ids seen, oldest forgotten first. A ring of ids beside the
 * set: evicting through `set.values().next()` instead slows down as deleted slots pile up
 * at the front of V8's hash set (measured: 30x slower than this ring at 10 000 entries).
 */
class RecentIds {
  private readonly ids = new Set<string>();
  private readonly ring: Array<string | undefined>;
  private next = 0;

  constructor(capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  /** False when `id` was seen recently (a duplicate); otherwise remembers it. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.ids.delete(evicted);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.ring.length;
    this.ids.add(id);
    return true;
  }
}

/** What one event type on one topic is for: the feeds of entity sources, the producers of local ones. */
interface TypeRoutes {
  feeds: Array<[field: string, feed: EventFeedEntry]>;
  producers: LocalProducer[];
}

// 5 s: see DISPATCH_ACTIVITY_WINDOW_MS.
const DEFAULT_LOCAL_SETTINGS: LocalSourceSettings = { dispatchActivityWindowMs: 5000 };

/**
 * The in-memory half of fan-out: every event this gateway process reads is matched here,
 * in O(1), against the subscribers connected to this process (Map topic → event type →
 * feeds, and field → key → subscribers). Events nobody here listens to cost one decode and
 * a few lookups; local sources' producers observe their event types whoever listens.
 */
export class EventRouter {
  private readonly byTopic = new Map<TopicName, Map<string, TypeRoutes>>();
  private readonly subscribers = new Map<string, Map<string, Set<EventSubscriber>>>();
  private readonly recent = new Map<TopicName, RecentIds>();
  private readonly producers: LocalProducer[] = [];

  constructor(
    readonly sources: Readonly<Record<string, EventSource>>,
    settings: LocalSourceSettings = DEFAULT_LOCAL_SETTINGS,
  ) {
    const routesOf = (topic: TopicName, type: string): TypeRoutes => {
      const byType = this.byTopic.get(topic) ?? new Map<string, TypeRoutes>();
      this.byTopic.set(topic, byType);
      const routes = byType.get(type) ?? { feeds: [], producers: [] };
      byType.set(type, routes);
      return routes;
    };
    for (const [field, source] of Object.entries(sources)) {
      this.subscribers.set(field, new Map());
      if (source.kind === 'entity') {
        for (const entry of source.feeds) routesOf(entry.topic, entry.eventType).feeds.push([field, entry]);
        continue;
      }
      let seq = 0;
      const producer = source.start({
        settings,
        listeners: (key) => this.listeners(field, key),
        emit: (key, payload) => {
          seq += 1;
          this.deliver(field, key, { eventId: `${field}-${seq}`, action: { kind: 'payload', payload } });
        },
      });
      this.producers.push(producer);
      for (const observed of source.observes) routesOf(observed.topic, observed.type).producers.push(producer);
    }
  }

  /** Starts delivering `field`'s events whose routing key is `key`; the result stops it. */
  subscribe(field: string, key: string, subscriber: EventSubscriber): () => void {
    const byKey = this.subscribers.get(field);
    if (!byKey) throw new Error(`No event source for the subscription field ${field}.`);
    let set = byKey.get(key);
    if (!set) {
      set = new Set();
      byKey.set(key, set);
    }
    set.add(subscriber);
    subscriptionMetrics.activeSubscriptions.inc({ field });
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const current = byKey.get(key);
      if (current?.delete(subscriber)) {
        subscriptionMetrics.activeSubscriptions.dec({ field });
        if (current.size === 0) byKey.delete(key);
      }
    };
  }

  /**
   * Routes one event read from `topic` to this process's subscribers. Returns how many
   * subscribers it reached. Duplicates (the same event id again: at-least-once delivery)
   * are routed once, and counted once by local sources.
   */
  route(topic: TopicName, event: RawEvent): number {
    const routes = this.byTopic.get(topic)?.get(event.type);
    if (!routes) {
      subscriptionMetrics.eventsReceived.inc({ topic, outcome: 'other_type' });
      return 0;
    }
    let recent = this.recent.get(topic);
    if (!recent) {
      recent = new RecentIds(RECENT_EVENT_IDS);
      this.recent.set(topic, recent);
    }
    if (!recent.add(event.id)) {
      subscriptionMetrics.eventsReceived.inc({ topic, outcome: 'duplicate' });
      return 0;
    }
    for (const producer of routes.producers) producer.observe(event);
    let reached = 0;
    let outcome: 'read' | 'invalid' = 'read';
    for (const [field, entry] of routes.feeds) {
      const byKey = this.subscribers.get(field);
      if (!byKey || byKey.size === 0) continue;
      const routing = entry.route(event);
      if (!routing) {
        outcome = 'invalid';
        continue;
      }
      // Built once per event, only when some key has a listener, and shared by them all.
      let routed: RoutedEvent | null = null;
      for (const key of routing.keys) {
        const listeners = byKey.get(key);
        if (!listeners) continue;
        routed ??= { eventId: event.id, action: routing.action() };
        for (const subscriber of listeners) subscriber.deliver(routed);
        reached += listeners.size;
        subscriptionMetrics.eventsRouted.inc({ field }, listeners.size);
      }
    }
    subscriptionMetrics.eventsReceived.inc({ topic, outcome });
    return reached;
  }

  /** Hands a value built in the gateway to the subscribers of `field` listening on `key`. */
  private deliver(field: string, key: string, routed: RoutedEvent): void {
    const listeners = this.subscribers.get(field)?.get(key);
    if (!listeners) return;
    for (const subscriber of listeners) subscriber.deliver(routed);
    subscriptionMetrics.eventsRouted.inc({ field }, listeners.size);
  }

  /** Subscribers on this process listening on `field` for `key`. */
  listeners(field: string, key: string): number {
    return this.subscribers.get(field)?.get(key)?.size ?? 0;
  }

  /** Stops the local sources' producers (their window timers). */
  stop(): void {
    for (const producer of this.producers.splice(0)) producer.stop();
  }
}

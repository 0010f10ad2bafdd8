import type { TopicName } from '@waimai/platform';
import type { EventSource, RawEvent, RoutedEvent } from './event-sources';
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

/**
 * The in-memory half of fan-out: every event this gateway process reads is matched here,
 * in O(1), against the subscribers connected to this process (Map field → key →
 * subscribers). Events nobody here listens to cost one decode and one lookup.
 */
export class EventRouter {
  private readonly byTopic = new Map<TopicName, Array<[field: string, source: EventSource]>>();
  private readonly subscribers = new Map<string, Map<string, Set<EventSubscriber>>>();
  private readonly recent = new Map<TopicName, RecentIds>();

  constructor(readonly sources: Readonly<Record<string, EventSource>>) {
    for (const [field, source] of Object.entries(sources)) {
      const onTopic = this.byTopic.get(source.topic) ?? [];
      onTopic.push([field, source]);
      this.byTopic.set(source.topic, onTopic);
      this.subscribers.set(field, new Map());
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
   * are routed once.
   */
  route(topic: TopicName, event: RawEvent): number {
    const candidates = this.byTopic.get(topic);
    if (!candidates) return 0;
    let recent = this.recent.get(topic);
    if (!recent) {
      recent = new RecentIds(RECENT_EVENT_IDS);
      this.recent.set(topic, recent);
    }
    if (!recent.add(event.id)) {
      subscriptionMetrics.eventsReceived.inc({ topic, outcome: 'duplicate' });
      return 0;
    }
    let reached = 0;
    let outcome: 'read' | 'other_type' | 'invalid' = 'other_type';
    for (const [field, source] of candidates) {
      if (source.eventType !== event.type) continue;
      if (outcome === 'other_type') outcome = 'read';
      const byKey = this.subscribers.get(field);
      if (!byKey || byKey.size === 0) continue;
      const routed = source.route(event);
      if (!routed) {
        outcome = 'invalid';
        continue;
      }
      const listeners = byKey.get(routed.routingKey);
      if (!listeners) continue;
      for (const subscriber of listeners) subscriber.deliver(routed);
      reached += listeners.size;
      subscriptionMetrics.eventsRouted.inc({ field }, listeners.size);
    }
    subscriptionMetrics.eventsReceived.inc({ topic, outcome });
    return reached;
  }

  /** Subscribers on this process listening on `field` for `key`. */
  listeners(field: string, key: string): number {
    return this.subscribers.get(field)?.get(key)?.size ?? 0;
  }
}

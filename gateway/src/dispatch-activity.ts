import type { LocalProducer, LocalProducerContext, RawEvent } from './event-sources';

/** One window's counts, as the DispatchActivity type of the riders subgraph's SDL declares it. */
export interface DispatchActivityFrame extends Record<string, unknown> {
  windowStart: string;
  windowEnd: string;
  offersSent: number;
  grabs: number;
  offerExpiries: number;
}

/**
 * Counts dispatch activity over fixed windows and sends one frame per window to the
 * dispatchActivity subscribers of this process. Every gateway process reads every event of
 * dispatch.offers and orders.events (broadcast groups), so each counts the whole city by
 * itself and no shared counter is needed:
 *
 * - offers sent: OrderOffered (one per rider offered an order);
 * - grabs: OrderStatusChanged with step `grab`;
 * - expiries: OrderStatusChanged with step `offerTimeout` (a round ran out with nobody grabbing).
 *
 * Windows are aligned to multiples of the window length since the epoch, so replicas send the
 * same boundaries; events count in the window in which this process read them. A window with
 * nothing in it is sent too (zeros): the console draws a steady series and sees that the
 * stream is alive, at the cost of one small frame per staff socket per window. Nothing is sent
 * while nobody here subscribes; the first window after the process started counts only what it
 * read since (its windowStart still says where the window began).
 */
export function dispatchActivityCounter(context: LocalProducerContext, key: string): LocalProducer {
  const windowMs = context.settings.dispatchActivityWindowMs;
  let windowStart = Math.floor(Date.now() / windowMs) * windowMs;
  let offersSent = 0;
  let grabs = 0;
  let offerExpiries = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const closeWindow = () => {
    const windowEnd = windowStart + windowMs;
    const frame: DispatchActivityFrame = {
      windowStart: new Date(windowStart).toISOString(),
      windowEnd: new Date(windowEnd).toISOString(),
      offersSent,
      grabs,
      offerExpiries,
    };
    offersSent = 0;
    grabs = 0;
    offerExpiries = 0;
    windowStart = windowEnd;
    if (context.listeners(key) > 0) context.emit(key, frame);
    schedule();
  };
  // A timer per window, set for the next boundary (not setInterval): a blocked event loop
  // delays a frame but never shifts later windows off their boundaries.
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(closeWindow, Math.max(0, windowStart + windowMs - Date.now()));
    timer.unref();
  };
  schedule();

  return {
    // The hot path of every orders.events and dispatch.offers event: two comparisons, no parsing.
    observe(event: RawEvent) {
      if (event.type === 'OrderOffered') {
        // An order handed over by staff (reassignOrder) reaches the rider as a frame of the same type; it was not offered.
        if (event.data.kind !== 'ASSIGNED') offersSent += 1;
        return;
      }
      if (event.type !== 'OrderStatusChanged') return;
      const step = event.data.step;
      if (step === 'grab') grabs += 1;
      else if (step === 'offerTimeout') offerExpiries += 1;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

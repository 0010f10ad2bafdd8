import { Counter, Gauge } from 'prom-client';
import { operationLabel, subgraphFetchDuration } from '@waimai/platform';

/**
 * Prometheus metrics of the subscription engine, in the process-wide registry that
 * /metrics serves. Created once per process: several gateways started in one process
 * (tests) add to the same series.
 */
export const subscriptionMetrics = {
  connectedSockets: new Gauge({
    name: 'waimai_gateway_websocket_connections',
    help: 'Websockets connected to this gateway process (acknowledged or not).',
  }),
  activeSubscriptions: new Gauge({
    name: 'waimai_gateway_subscriptions',
    help: 'Subscriptions running on this gateway process, by root field.',
    labelNames: ['field'] as const,
  }),
  eventsReceived: new Counter({
    name: 'waimai_gateway_events_received_total',
    help: 'Events read from Kafka by this gateway process, by topic and outcome (read, other_type, duplicate, invalid).',
    labelNames: ['topic', 'outcome'] as const,
  }),
  eventsRouted: new Counter({
    name: 'waimai_gateway_events_routed_total',
    help: 'Events handed to a subscriber on this gateway process (one per subscriber), by root field.',
    labelNames: ['field'] as const,
  }),
  eventsDelivered: new Counter({
    name: 'waimai_gateway_events_delivered_total',
    help: 'Subscription events sent to a client, by root field.',
    labelNames: ['field'] as const,
  }),
  eventsDropped: new Counter({
    name: 'waimai_gateway_events_dropped_total',
    help: 'Routed events not sent, by root field and reason (not_visible: the caller may not see the entity; slow_socket: the socket was closed for falling behind; closed: the subscription ended first).',
    labelNames: ['field', 'reason'] as const,
  }),
  eventAnswers: new Counter({
    name: 'waimai_gateway_event_answers_total',
    help: 'Entity events answered for a subscriber, by root field and source: event (from the state the event carries alone), event_and_load (plus a load of what it lacked), query (the entity loaded through the supergraph).',
    labelNames: ['field', 'source'] as const,
  }),
  slowSocketsClosed: new Counter({
    name: 'waimai_gateway_slow_sockets_closed_total',
    help: 'Websockets closed with 1013 because their pending events exceeded the per-socket bound.',
  }),
};

/**
 * Starts timing one request of a query plan to `subgraph`; the returned function records it
 * with its outcome (ok, error: the answer carried errors, failed: no answer). The operation is
 * the client's contract name (the plan names its fetches `<Operation>__<subgraph>__<n>`).
 */
export function subgraphFetchTimer(subgraph: string, operationName: string | undefined): (outcome: 'ok' | 'error' | 'failed') => void {
  const end = subgraphFetchDuration.startTimer({ subgraph, operation: operationLabel(operationName) });
  return (outcome) => {
    end({ outcome });
  };
}

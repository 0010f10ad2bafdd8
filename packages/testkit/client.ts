/**
 * The gateway client alone, as an app talks to the API (GraphQL over HTTP, subscriptions over
 * graphql-ws, the contract's operations), for processes that need nothing else of testkit (the
 * city simulator, scripts/lib/simulator): the main entry (src/index.ts) loads the gateway and every service.
 */
export { gql, type GraphQLResponse } from './src/client';
export { subscribe, type GraphQLSubscription, type SubscriptionPayload, type SubscriptionEnd } from './src/socket';
export { contractOperation } from './src/contract';

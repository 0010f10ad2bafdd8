export * from './run-env';
export * from './subgraph-client';

export * from './run-env';
export * from './subgraph-client';
export * from './infra-config';
export * from './eventually';
export * from './client';
export * from './stack';
export * from './socket';
export * from './seed-kit';

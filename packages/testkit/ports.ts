/**
 * Free local ports alone, for scripts (the local Kafka cluster) that choose ports at run time:
 * the main entry (src/index.ts) loads the gateway and every service, which they do not need.
 */
export { freePorts } from './src/processes';

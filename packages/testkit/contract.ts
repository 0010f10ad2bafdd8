/**
 * The contract's operations by name alone, for processes that need nothing else of testkit
 * (the bench's socket workers): the main entry (src/index.ts) loads the gateway and every service.
 */
export { contractOperation } from './src/contract';

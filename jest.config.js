/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testMatch: ['<rootDir>/{subgraphs,packages,gateway,tests}/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // .cache holds downloads (Kafka) and scratch copies of the repo; their package.json files would clash in the module map.
  modulePathIgnorePatterns: ['<rootDir>/.cache/'],
  globalSetup: '<rootDir>/packages/testkit/src/global-setup.ts',
  globalTeardown: '<rootDir>/packages/testkit/src/global-teardown.ts',
  // Real MySQL, Redis and Kafka: consumer groups take seconds to join.
  testTimeout: 60_000,
  maxWorkers: 2,
};

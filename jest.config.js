/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // With isolatedModules (tsconfig.json) ts-jest only transpiles; npm test type-checks with tsc first.
  preset: 'ts-jest',
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  // A bound that ends a test which would otherwise hang, not a speed limit: generous for a busy machine.
  testTimeout: 120_000,
};

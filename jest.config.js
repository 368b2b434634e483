// ESM TypeScript through ts-jest; tests import the real modules and talk to loopback emulators.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  // .tmp holds scratch copies of the project (the release dry run's checkout): never tests or modules.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.tmp/'],
  modulePathIgnorePatterns: ['<rootDir>/.tmp/'],
  testTimeout: 60000,
  maxWorkers: 2
}

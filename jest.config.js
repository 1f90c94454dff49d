/** One jest run for every package: `npm test` at the root. */
const swc = ['@swc/jest', {
  jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } },
  module: { type: 'commonjs' },
}];
module.exports = {
  testEnvironment: 'node',
  // Workspace packages resolve to their TypeScript sources under test.
  testEnvironmentOptions: { customExportConditions: ['rnb-source', 'node', 'require', 'default'] },
  transform: { '^.+\\.(t|j)sx?$': swc },
  testMatch: ['<rootDir>/{core,plugins,app,deploy,bench}/**/*.test.ts?(x)'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
  testTimeout: 30000,
  maxWorkers: 2,
};

/** One Jest run for every tier: unit specs beside the code (*.spec.ts), API e2e (*.e2e-spec.ts),
 * integration over real Redis/worker/kernel (*.int-spec.ts). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|e2e-spec|int-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^@upm/model$': '<rootDir>/libs/upm-model/src',
    '^@upm/model/(.*)$': '<rootDir>/libs/upm-model/src/$1',
    '^@upm/jobs$': '<rootDir>/libs/jobs/src',
    '^@upm/jobs/(.*)$': '<rootDir>/libs/jobs/src/$1',
    '^@upm/platform$': '<rootDir>/libs/platform/src',
    '^@upm/platform/(.*)$': '<rootDir>/libs/platform/src/$1',
    '^@upm/client$': '<rootDir>/libs/client/src',
    '^@upm/client/(.*)$': '<rootDir>/libs/client/src/$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60000,
};

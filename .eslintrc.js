/** Lint rules. The one architectural rule: the domain library imports no framework. */
module.exports = {
  root: true,
  parser: '@typescript-eslint/parser',
  parserOptions: { project: false, sourceType: 'module', ecmaVersion: 2022 },
  plugins: ['@typescript-eslint'],
  extends: ['eslint:recommended', 'plugin:@typescript-eslint/recommended', 'prettier'],
  env: { node: true, jest: true, es2022: true },
  ignorePatterns: ['dist/', 'node_modules/', 'reports/', 'coverage/', 'kernel/build/', 'data/'],
  rules: {
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    '@typescript-eslint/no-explicit-any': 'error',
  },
  overrides: [
    {
      files: ['libs/upm-model/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              { group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'bull', 'bull/*', 'ioredis', 'express'], message: 'libs/upm-model is the framework-free domain core: no Nest, TypeORM, Bull or Redis.' },
              { group: ['@upm/platform', '@upm/platform/*', '@upm/jobs', '@upm/jobs/*'], message: 'libs/upm-model depends on nothing of the services.' },
            ],
          },
        ],
      },
    },
    {
      files: ['libs/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts', 'traces/**/*.ts', 'bench/**/*.ts'],
      excludedFiles: ['libs/upm-model/**/*.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [{ group: ['**/apps/cli/**', '**/apps/cli'], message: 'apps/cli is a program, not a library: use @upm/client or @upm/model.' }] },
        ],
      },
    },
    { files: ['apps/web/src/**/*.ts'], env: { browser: true, node: false } },
    { files: ['bin/*.js', '*.js'], rules: { '@typescript-eslint/no-var-requires': 'off', '@typescript-eslint/no-require-imports': 'off' } },
  ],
};

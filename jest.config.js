// Jest runs the unit tests in test/unit against the TypeScript sources.
const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

// JupyterLab 4.6 ships several packages as ESM, and Octokit is ESM-only:
// overriding transformIgnorePatterns drops the base list, so it is repeated here.
const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@lumino/',
  '@marijn',
  '@microsoft',
  '@octokit',
  'before-after-hook',
  'color',
  'content-type',
  'exenv-es6',
  'fast-content-type-parse',
  'json-with-bigint',
  'lib0',
  'marked',
  'nanoid',
  'universal-user-agent',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  roots: ['<rootDir>/test/unit'],
  testRegex: '.*\\.spec\\.tsx?$',
  automock: false,
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/*.d.ts'],
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};

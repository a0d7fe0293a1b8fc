/**
 * Browser benchmarks (not tests): the e2e set-up (Debian Chromium, a real
 * JupyterLab with the built extension, the fake GitHub API) running the
 * *.bench.ts files of this folder. `make bench-save` runs it.
 */
const path = require('path');
process.env.E2E_LAB_PORT = process.env.E2E_LAB_PORT || '8897';
process.env.E2E_FAKE_GITHUB_PORT = process.env.E2E_FAKE_GITHUB_PORT || '8763';
process.env.E2E_STATE_DIR = process.env.E2E_STATE_DIR || path.join(__dirname, '.state');
const e2e = require('../e2e/playwright.config.js');

module.exports = {
  ...e2e,
  testDir: __dirname,
  testMatch: '**/*.bench.ts',
  outputDir: path.join(__dirname, 'results'),
  timeout: 600000
};

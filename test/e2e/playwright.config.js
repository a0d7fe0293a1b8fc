/**
 * Browser end-to-end tests: Galata driving Debian's Chromium against a real
 * JupyterLab (extension installed from the built package), a real ipykernel
 * and the fake GitHub API on 127.0.0.1.
 */
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const root = path.resolve(__dirname, '..', '..');
const labPort = process.env.E2E_LAB_PORT || '8899';
const apiPort = process.env.E2E_FAKE_GITHUB_PORT || '8765';
process.env.E2E_LAB_PORT = labPort;
process.env.E2E_FAKE_GITHUB_URL = `http://127.0.0.1:${apiPort}`;
process.env.E2E_STATE_DIR = process.env.E2E_STATE_DIR || path.join(root, 'test', 'e2e', '.state');

module.exports = {
  ...baseConfig,
  testDir: __dirname,
  testMatch: '**/*.spec.ts',
  outputDir: path.join(__dirname, 'test-results'),
  timeout: 90000,
  expect: { timeout: 15000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${labPort}`,
    // Real settings, workspace state and page config from the server: the
    // tests audit what JupyterLab itself writes to disk.
    mockSettings: false,
    mockState: false,
    mockConfig: false,
    actionTimeout: 20000,
    video: 'off',
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: [
    {
      command: `python3 test/fake_github/fake_github_api.py --port ${apiPort} --quiet`,
      cwd: root,
      url: `http://127.0.0.1:${apiPort}/_fake/requests`,
      timeout: 30000,
      reuseExistingServer: false
    },
    {
      command: 'jupyter lab --config test/e2e/jupyter_server_test_config.py',
      cwd: root,
      url: `http://127.0.0.1:${labPort}/lab`,
      timeout: 120000,
      reuseExistingServer: false
    }
  ]
};

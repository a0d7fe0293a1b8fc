/**
 * Delivering the token to a real ipykernel: a silent execute that leaves no
 * trace in the execution count, history, notebook file or any Jupyter file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@jupyterlab/galata';
import {
  STATE_DIR,
  TOKENS,
  filesContaining,
  goToStep,
  runFromPalette,
  openPanelFromPalette,
  panel,
  pasteToken,
  resetFakeApi,
  resetServerToken,
  verifyToken
} from './helpers';

const writeButton = (page: Parameters<typeof panel>[0]) =>
  panel(page).getByRole('button', { name: 'Write to kernel environment' });
const writeResult = (page: Parameters<typeof panel>[0]) => panel(page).locator('[data-testid="kernel-write-result"] p');

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

test('write to kernel: the environment has the token, the execution count did not move, nothing leaks to disk', async ({
  page,
  tmpPath
}) => {
  const token = TOKENS.classicRepo;
  const name = 'analysis.ipynb';
  const consoleMessages: string[] = [];
  page.on('console', message => consoleMessages.push(message.text()));
  await page.notebook.createNew(name);
  await page.notebook.setCell(0, 'code', 'x = 40 + 2\nx');
  await page.notebook.runCell(0);
  expect(await page.notebook.getCellTextOutput(0)).toEqual(['42']);

  await openPanelFromPalette(page);
  await verifyToken(page, token);
  await goToStep(page, 'use');
  await writeButton(page).click();
  await expect(writeResult(page)).toHaveAttribute('data-ok', 'true');
  await expect(writeResult(page)).toContainText('Set GITHUB_TOKEN, GH_TOKEN');
  await expect(panel(page)).not.toContainText(token);

  // The silent write did not take execution count 2, and left no history.
  await page.notebook.activate(name);
  await page.notebook.setCell(
    1,
    'code',
    [
      'import os',
      'ip = get_ipython()',
      'print(os.environ["GITHUB_TOKEN"])',
      'print(os.environ["GH_TOKEN"] == os.environ["GITHUB_TOKEN"])',
      'print(ip.execution_count)',
      'print(any(os.environ["GITHUB_TOKEN"] in src for _, _, src in ip.history_manager.get_range()))',
      'print(any(os.environ["GITHUB_TOKEN"] in src for src in In))'
    ].join('\n')
  );
  await page.notebook.runCell(1);
  const output = ((await page.notebook.getCellTextOutput(1)) ?? []).join('').trim().split('\n');
  // Inside the cell shown as [2], IPython's counter already reads 3; a counted
  // silent write would have made this cell [3] and the counter 4.
  expect(output).toEqual([token, 'True', '3', 'False', 'False']);
  await expect(page.locator('.jp-Cell').nth(1).locator('.jp-InputPrompt')).toContainText('[2]');

  // Clear the output that showed the token on purpose, save, and audit the disk.
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
  });
  await expect(page.locator('.jp-Cell').nth(1).locator('.jp-OutputArea-output')).toHaveCount(0);
  await page.notebook.save();
  const saved = fs.readFileSync(path.join(STATE_DIR, 'notebooks', tmpPath, name), 'utf-8');
  expect(saved).toContain('os.environ[\\"GITHUB_TOKEN\\"]');
  expect(saved).not.toContain(token);

  // Let JupyterLab write its workspace (layout) to the server, then scan every
  // Jupyter, IPython, settings, workspace and notebook file of this server.
  await expect
    .poll(() => filesContaining(path.join(STATE_DIR, 'workspaces'), []).scanned, { timeout: 30000 })
    .toBeGreaterThan(0);
  const audit = filesContaining(STATE_DIR, [token]);
  expect(audit.scanned).toBeGreaterThan(3);
  expect(audit.hits).toEqual([]);
  const settingsFiles = filesContaining(path.join(STATE_DIR, 'settings'), ['apiBaseUrl']);
  expect(settingsFiles.hits.length).toBeGreaterThan(0);

  // Nor in the browser's storage.
  const stored = await page.evaluate(async () => {
    const local = JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage });
    const dbs = (await indexedDB.databases()).map(d => d.name);
    return { local, dbs };
  });
  expect(stored.local).not.toContain(token);
  expect(stored.dbs).toEqual([]);
  // Nor in the page's markup or its console (Octokit, JupyterLab, this extension).
  expect(await page.content()).not.toContain(token);
  expect(consoleMessages.length).toBeGreaterThan(0);
  expect(consoleMessages.filter(m => m.includes(token))).toEqual([]);
});

test('write to kernel refuses clearly with no notebook, and with a busy kernel', async ({ page }) => {
  await openPanelFromPalette(page);
  await pasteToken(page, TOKENS.classicRepo);
  await goToStep(page, 'use');
  await writeButton(page).click();
  await expect(writeResult(page)).toHaveAttribute('data-problem', 'no-notebook');
  await expect(writeResult(page)).toContainText('Open a notebook first');

  await page.notebook.createNew('busy.ipynb');
  // Let the kernel's start-up traffic (e.g. the widget manager's comm info
  // request, whose idle status would mask the busy one) finish first.
  await page.notebook.setCell(0, 'code', 'x = 1');
  await page.notebook.runCell(0);
  await page.notebook.setCell(0, 'code', 'import time\ntime.sleep(20)');
  // Start the cell without waiting for it.
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('notebook:run-cell');
  });
  await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]')).toHaveCount(1);
  await expect(page.locator('#jp-main-statusbar')).toContainText('Busy');
  await writeButton(page).click();
  await expect(writeResult(page)).toHaveAttribute('data-problem', 'busy');
  await expect(writeResult(page)).toContainText('busy');

  // Once idle, the same button works.
  await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toHaveCount(1, { timeout: 40000 });
  await writeButton(page).click();
  await expect(writeResult(page)).toHaveAttribute('data-ok', 'true');
});

test('the write command from the palette delivers the held token', async ({ page }) => {
  await page.notebook.createNew('palette.ipynb');
  await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toHaveCount(1, { timeout: 30000 });
  await openPanelFromPalette(page);
  await pasteToken(page, TOKENS.classicNoExpiry);
  await page.notebook.activate('palette.ipynb');
  await runFromPalette(page, 'Write GitHub token to kernel environment');
  await expect(writeResult(page)).toHaveAttribute('data-ok', 'true');
  await page.notebook.activate('palette.ipynb');
  await page.notebook.setCell(0, 'code', 'import os\nprint(len(os.environ["GH_TOKEN"]), os.environ["GH_TOKEN"][-4:])');
  await page.notebook.runCell(0);
  expect(((await page.notebook.getCellTextOutput(0)) ?? []).join('').trim()).toBe(
    `40 ${TOKENS.classicNoExpiry.slice(-4)}`
  );
});

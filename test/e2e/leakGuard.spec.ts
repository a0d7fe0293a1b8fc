/**
 * The leak guard in a real JupyterLab: a save of a notebook holding a token
 * stops until the user chooses; opening one that holds a token offers to
 * revoke it on (the fake) GitHub.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@jupyterlab/galata';
import {
  FAKE_API,
  STATE_DIR,
  TOKENS,
  TOKEN_API,
  dialog,
  fakeApiRequests,
  idle,
  onDisk,
  resetFakeApi,
  resetServerToken,
  serverStatus,
  startSave
} from './helpers';

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

test('a save of a cell holding a token stops; Cancel keeps it off disk, Replace moves it to the environment', async ({
  page,
  tmpPath
}) => {
  const token = TOKENS.classicRepo;
  const name = 'leaky.ipynb';
  await page.notebook.createNew(name);
  await idle(page);
  await page.notebook.save();
  await page.notebook.setCell(0, 'code', `token = "${token}"\nprint(len(token))`);
  await page.notebook.runCell(0);

  await startSave(page);
  await expect(dialog(page)).toContainText('This notebook contains a GitHub token');
  await expect(dialog(page).locator('[data-testid="leak-list"]')).toContainText(
    `cell 1 source: ${token.slice(0, 4)}...${token.slice(-4)}`
  );
  await expect(dialog(page)).not.toContainText(token);
  await dialog(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog(page)).toHaveCount(0);
  expect(fs.readFileSync(onDisk(tmpPath, name), 'utf-8')).not.toContain(token);
  // Still unsaved, still holding what the user typed: nothing lost.
  expect(await page.notebook.getCellTextInput(0)).toContain(token);

  await startSave(page);
  await dialog(page).getByRole('button', { name: 'Replace with environment read' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect
    .poll(() => fs.readFileSync(onDisk(tmpPath, name), 'utf-8'))
    .toContain('os.environ.get(\\"GITHUB_TOKEN\\", \\"\\")');
  expect(fs.readFileSync(onDisk(tmpPath, name), 'utf-8')).not.toContain(token);
  expect(await page.notebook.getCellTextInput(0)).toBe(
    'import os\ntoken = os.environ.get("GITHUB_TOKEN", "")\nprint(len(token))'
  );
  // The kernel got the token, so the rewritten cell still works.
  await page.notebook.runCell(0);
  expect(((await page.notebook.getCellTextOutput(0)) ?? []).join('').trim()).toBe('40');
  // ... and is in the one record of holders: Forget in any tab lists it among the kernels still holding a token.
  const kernelId = await page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.id as string
  );
  await expect.poll(async () => (await serverStatus()).kernels).toContain(kernelId);
  const forgotten = await fetch(`${TOKEN_API}/token`, { method: 'DELETE' });
  expect(((await forgotten.json()) as { stillRunning: string[] }).stillRunning).toContain(kernelId);
});

test('an output showing a token: Clear outputs; Save anyway saves and is not asked again', async ({
  page,
  tmpPath
}) => {
  const name = 'output.ipynb';
  await page.notebook.createNew(name);
  await idle(page);
  // The source holds no token, its output does.
  await page.notebook.setCell(0, 'code', 'print("gh" + "p_" + "A1b2C3d4" * 4 + "wxyz")');
  await page.notebook.runCell(0);
  await page.notebook.setCell(1, 'code', 'answer = 42');
  await startSave(page);
  await expect(dialog(page).locator('[data-testid="leak-list"]')).toContainText('cell 1 output');
  await expect(dialog(page).getByRole('button', { name: 'Replace with environment read' })).toHaveCount(0);
  await dialog(page).getByRole('button', { name: 'Clear outputs' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect.poll(() => fs.readFileSync(onDisk(tmpPath, name), 'utf-8')).toContain('answer = 42');
  const saved = JSON.parse(fs.readFileSync(onDisk(tmpPath, name), 'utf-8'));
  expect(saved.cells[0].outputs).toEqual([]);
  expect([].concat(saved.cells[0].source).join('')).toContain('print(');

  await page.notebook.runCell(0);
  await startSave(page);
  await dialog(page).getByRole('button', { name: 'Save anyway' }).click();
  await expect.poll(() => fs.readFileSync(onDisk(tmpPath, name), 'utf-8')).toContain('A1b2C3d4A1b2C3d4');
  await page.notebook.setCell(1, 'code', 'answer = 43');
  await page.notebook.save();
  await expect(dialog(page)).toHaveCount(0);
  expect(fs.readFileSync(onDisk(tmpPath, name), 'utf-8')).toContain('answer = 43');
  fs.rmSync(onDisk(tmpPath, name));
});

test('opening a notebook that holds a token warns; Revoke reaches GitHub and the token stops working', async ({
  page,
  tmpPath
}) => {
  const token = TOKENS.classicPublicRepo;
  const name = 'shared.ipynb';
  const before = await fetch(`${FAKE_API}/user`, { headers: { Authorization: `token ${token}` } });
  expect(before.status).toBe(200);
  fs.writeFileSync(
    onDisk(tmpPath, name),
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
      cells: [
        { cell_type: 'markdown', id: 'intro', metadata: {}, source: ['# Shared analysis'] },
        {
          cell_type: 'code',
          id: 'setup',
          metadata: {},
          execution_count: null,
          outputs: [],
          source: [`GITHUB_TOKEN = '${token}'`]
        }
      ]
    })
  );
  await page.evaluate(p => {
    void (window as any).jupyterapp.commands.execute('docmanager:open', { path: p });
  }, `${tmpPath}/${name}`);
  await expect(dialog(page)).toContainText(`"${tmpPath}/${name}" contains a GitHub token`);
  await expect(dialog(page)).toContainText('cell 2 source');
  await expect(dialog(page)).toContainText(`Revoke tells GitHub (${new URL(FAKE_API).host}) to disable this token now`);
  await dialog(page).getByRole('button', { name: 'Revoke on GitHub' }).click();
  await expect(dialog(page).locator('[data-testid="revoke-result"]')).toHaveAttribute('data-ok', 'true');
  const revokes = (await fakeApiRequests()).filter(r => r.path === '/credentials/revoke');
  expect(revokes).toEqual([expect.objectContaining({ method: 'POST', auth: 'none', status: 202 })]);
  const after = await fetch(`${FAKE_API}/user`, { headers: { Authorization: `token ${token}` } });
  expect(after.status).toBe(401);

  await dialog(page).getByRole('button', { name: 'Remove from notebook' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.locator('.jp-Cell').nth(1)).toContainText('GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "")');
  await page.notebook.save();
  await expect(dialog(page)).toHaveCount(0);
  expect(fs.readFileSync(onDisk(tmpPath, name), 'utf-8')).not.toContain(token);
});

test('with the guard turned off in the settings, a save goes through without asking', async ({ page, tmpPath }) => {
  const settingsFile = path.join(STATE_DIR, 'settings', 'jupyterlab-github-token', 'plugin.jupyterlab-settings');
  const original = fs.readFileSync(settingsFile, 'utf-8');
  fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(original), leakGuard: false }));
  try {
    await page.reload();
    const name = 'unguarded.ipynb';
    await page.notebook.createNew(name);
    await idle(page);
    await page.notebook.setCell(0, 'code', `token = "${TOKENS.classicNoExpiry}"`);
    await page.notebook.save();
    await expect(dialog(page)).toHaveCount(0);
    expect(fs.readFileSync(onDisk(tmpPath, name), 'utf-8')).toContain(TOKENS.classicNoExpiry);
    fs.rmSync(onDisk(tmpPath, name));
  } finally {
    fs.writeFileSync(settingsFile, original);
  }
});

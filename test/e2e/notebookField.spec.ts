/**
 * The notebook's GitHub-token field: a real ipywidgets form filled through a
 * real kernel, and token cells rewritten to read the environment.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import {
  STATE_DIR,
  TOKENS,
  TOKEN_FORM,
  cellOutput,
  fakeApiRequests,
  goToStep,
  idle,
  openPanelFromPalette,
  panel,
  pasteCell,
  pasteToken,
  resetFakeApi,
  resetServerToken,
  runFromPalette
} from './helpers';

const fieldResult = (page: IJupyterLabPageFixture) =>
  panel(page).locator('[data-testid="notebook-field-result"] p').last();

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

test('fills an ipywidgets Password field: masked, .value has the token, saved widget state does not', async ({
  page,
  tmpPath
}) => {
  const token = TOKENS.classicRepo;
  const name = 'form.ipynb';
  await page.notebook.createNew(name);
  await idle(page);
  await pasteCell(page, 0, TOKEN_FORM);
  await page.notebook.runCell(0);
  const password = page.locator('.jp-Cell').first().locator('input[type="password"]');
  await expect(password).toBeVisible();

  await openPanelFromPalette(page);
  await pasteToken(page, token);
  await page.notebook.activate(name);
  await runFromPalette(page, 'Write GitHub token to notebook field');
  await expect(fieldResult(page)).toHaveAttribute('data-ok', 'true');
  await expect(fieldResult(page)).toContainText('Password field "*Personal Access Token:" (github_token)');
  await expect(panel(page)).not.toContainText(token);

  // The widget shows it, masked.
  await expect(password).toHaveValue(token);
  await expect(password).toHaveAttribute('type', 'password');

  // The button's callback reads github_token.value and reaches the (fake) API with it.
  await page.locator('.jp-Cell').first().getByRole('button', { name: 'Test Connection' }).click();
  await expect(page.locator('.jp-Cell').first().locator('.jp-Cell-outputArea')).toContainText(
    'Connected as octo-scientist'
  );
  const calls = (await fakeApiRequests()).filter(r => r.path === '/user');
  expect(calls.map(r => [r.auth, r.status])).toContainEqual(['classicRepo', 200]);

  // Code reading .value gets it; nothing of it went through the cell history.
  await page.notebook.activate(name);
  await page.notebook.setCell(
    1,
    'code',
    'print(len(github_token.value), github_token.value[-4:], any(github_token.value in s for s in In))'
  );
  await page.notebook.runCell(1);
  expect(await cellOutput(page, 1)).toBe(`40 ${token.slice(-4)} False`);

  // Saved with the widget state (the test server turns saving it on): the
  // Password model is in the file, its value is not.
  await page.notebook.save();
  const saved = fs.readFileSync(path.join(STATE_DIR, 'notebooks', tmpPath, name), 'utf-8');
  expect(saved).not.toContain(token);
  const notebook = JSON.parse(saved);
  const state = notebook.metadata.widgets['application/vnd.jupyter.widget-state+json'].state as Record<string, any>;
  const passwords = Object.values(state).filter(m => m.model_name === 'PasswordModel');
  expect(passwords).toHaveLength(1);
  expect(passwords[0].state.description).toBe('*Personal Access Token:');
  expect(passwords[0].state.value ?? '').toBe('');
});

test('a token cell is rewritten to read the environment; several candidates are listed to pick from', async ({
  page,
  tmpPath
}) => {
  const token = TOKENS.classicNoExpiry;
  const name = 'params.ipynb';
  await page.notebook.createNew(name);
  await idle(page);
  await page.notebook.setCell(0, 'code', 'repo = "octo-org/analysis"\ngithub_token = ""  # @param {type:"string"}');
  await openPanelFromPalette(page);
  await pasteToken(page, token);
  await page.notebook.activate(name);
  await runFromPalette(page, 'Write GitHub token to notebook field');
  await expect(fieldResult(page)).toHaveAttribute('data-ok', 'true');
  await expect(fieldResult(page)).toContainText('now reads os.environ.get("GITHUB_TOKEN", "")');

  await page.notebook.activate(name);
  expect(await page.notebook.getCellTextInput(0)).toBe(
    'import os\nrepo = "octo-org/analysis"\ngithub_token = os.environ.get("GITHUB_TOKEN", "")  # @param {type:"string"}'
  );
  await page.notebook.runCell(0);
  await page.notebook.setCell(1, 'code', 'print(len(github_token), github_token[-4:])');
  await page.notebook.runCell(1);
  expect(await cellOutput(page, 1)).toBe(`40 ${token.slice(-4)}`);
  await page.notebook.save();
  expect(fs.readFileSync(path.join(STATE_DIR, 'notebooks', tmpPath, name), 'utf-8')).not.toContain(token);

  // Two fields: the panel lists them; the user picks the literal, confirms the warning.
  await page.notebook.setCell(2, 'code', 'GITHUB_TOKEN = "paste your token here"');
  await goToStep(page, 'use');
  await panel(page).getByRole('button', { name: 'Write to notebook field' }).click();
  const candidates = panel(page).locator('[data-testid="notebook-field-candidates"] li');
  await expect(candidates).toHaveCount(2);
  await expect(candidates.nth(1)).toContainText('Cell 3, line 1: GITHUB_TOKEN = "paste your token here"');
  await panel(page)
    .getByRole('button', { name: 'Put the token in the cell: Cell 3, line 1: GITHUB_TOKEN = "paste your token here"' })
    .click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('It will be saved to disk with the notebook');
  await dialog.getByRole('button', { name: 'Put it in the cell' }).click();
  await expect(fieldResult(page)).toHaveAttribute('data-ok', 'true');
  await expect(fieldResult(page)).toContainText('it will be saved to disk');
  await page.notebook.activate(name);
  expect(await page.notebook.getCellTextInput(2)).toBe(`GITHUB_TOKEN = "${token}"`);
  // Asked for explicitly: the leak guard lets this save through.
  await page.notebook.save();
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  const file = path.join(STATE_DIR, 'notebooks', tmpPath, name);
  expect(fs.readFileSync(file, 'utf-8')).toContain(token);
  fs.rmSync(file);
});

test('no field: says what was looked for', async ({ page }) => {
  await page.notebook.createNew('plain.ipynb');
  await idle(page);
  await page.notebook.setCell(0, 'code', 'x = 1');
  await openPanelFromPalette(page);
  await pasteToken(page, TOKENS.classicRepo);
  await goToStep(page, 'use');
  await panel(page).getByRole('button', { name: 'Write to notebook field' }).click();
  await expect(fieldResult(page)).toHaveAttribute('data-problem', 'no-field');
  await expect(fieldResult(page)).toContainText('Looked for ipywidgets Password or Text fields');
  await expect(fieldResult(page)).toContainText('"GitHub-token"');
});

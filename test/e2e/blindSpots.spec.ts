/**
 * The leak guard's former blind spots, in a real JupyterLab with a real
 * kernel: outputs that print a token glued to an ANSI code, a percent
 * escape, a backslash escape or `_x`, or inside base64, and a token split
 * across two cells, stop a Ctrl+S at the dialog; fixing a notebook that held
 * a token on disk also cleans its checkpoint; the dialog on opening such a
 * notebook defaults to the safe button and never hands the file's token to
 * the kernel.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { TOKENS, dialog, idle, onDisk, resetFakeApi, resetServerToken, startSave } from './helpers';

const token = TOKENS.classicRepo;
/** The token as kernel code can rebuild it without the source holding it. */
const reversed = [...token].reverse().join('');
const rebuild = `t = "${reversed}"[::-1]`;

/** Every form in which a file could hold the token (plain, or base64 as printed below). */
const diskForms = [token, Buffer.from(`x-access-token:${token}`).toString('base64')];

function holdsToken(file: string): boolean {
  const text = fs.readFileSync(file, 'utf-8');
  return diskForms.some(form => text.includes(form));
}

async function runAll(page: IJupyterLabPageFixture, cells: string[]): Promise<void> {
  for (let i = 0; i < cells.length; i++) {
    await page.notebook.setCell(i, 'code', cells[i]);
    await page.notebook.runCell(i);
  }
}

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

test('outputs that hide a token from a whole-word scan stop the save; Clear outputs writes none of them', async ({
  page,
  tmpPath
}) => {
  const name = 'outputs.ipynb';
  await page.notebook.createNew(name);
  await idle(page);
  await runAll(page, [
    `${rebuild}\nprint("\\033[1m" + t)`,
    `${rebuild}\nprint("token%20" + t, "%3A" + t, "%22" + t)`,
    `${rebuild}\nprint(repr(b"FOO=1\\n" + t.encode()))`,
    `${rebuild}\nprint(t + "_x")`,
    `${rebuild}\nimport base64\nprint("Authorization: Basic " + base64.b64encode(("x-access-token:" + t).encode()).decode())`
  ]);
  // The source never holds the token, each output does.
  expect(await page.notebook.getCellTextOutput(4)).toEqual([expect.stringContaining('Authorization: Basic ')]);

  await startSave(page);
  const list = dialog(page).locator('[data-testid="leak-list"]');
  for (let cell = 1; cell <= 5; cell++) {
    await expect(list).toContainText(`cell ${cell} output`);
  }
  await expect(list).not.toContainText('source');
  await expect(dialog(page)).not.toContainText(token);
  await dialog(page).getByRole('button', { name: 'Clear outputs' }).click();
  await expect(dialog(page)).toHaveCount(0);
  // (Running the last cell added an empty one below it.)
  // (Read as it is being written, the file can be incomplete for a moment.)
  const cellsOnDisk = () => {
    try {
      return JSON.parse(fs.readFileSync(onDisk(tmpPath, name), 'utf-8')).cells.length as number;
    } catch {
      return 0;
    }
  };
  await expect.poll(cellsOnDisk).toBeGreaterThanOrEqual(5);
  const saved = JSON.parse(fs.readFileSync(onDisk(tmpPath, name), 'utf-8'));
  expect(saved.cells.slice(0, 5).map((cell: { outputs: unknown[] }) => cell.outputs)).toEqual([[], [], [], [], []]);
  expect(holdsToken(onDisk(tmpPath, name))).toBe(false);
});

test('a token split across two cells stops the save; Cancel keeps it off disk', async ({ page, tmpPath }) => {
  const name = 'split.ipynb';
  await page.notebook.createNew(name);
  await idle(page);
  await page.notebook.save();
  await page.notebook.setCell(0, 'code', `head = "${token.slice(0, 21)}"`);
  await page.notebook.addCell('code', `tail = "${token.slice(21)}"\ntoken = head + tail`);
  await startSave(page);
  await expect(dialog(page).locator('[data-testid="leak-list"]')).toContainText(
    `cell 1 source: ${token.slice(0, 4)}...${token.slice(-4)}`
  );
  await dialog(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog(page)).toHaveCount(0);
  const file = fs.readFileSync(onDisk(tmpPath, name), 'utf-8');
  expect(file).not.toContain(token.slice(0, 21));
  expect(file).not.toContain(token.slice(21));
});

test('opening a notebook with a token: Enter keeps it and the kernel gets nothing; Remove cleans the file and its checkpoint', async ({
  page,
  tmpPath
}) => {
  const name = 'inherited.ipynb';
  const file = onDisk(tmpPath, name);
  fs.writeFileSync(
    file,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' } },
      cells: [
        {
          cell_type: 'code',
          id: 'setup',
          metadata: {},
          execution_count: null,
          outputs: [],
          source: [`GITHUB_TOKEN = '${token}'`]
        },
        {
          cell_type: 'code',
          id: 'check',
          metadata: {},
          execution_count: null,
          outputs: [],
          source: ['import os\nprint("GITHUB_TOKEN" in os.environ, "GH_TOKEN" in os.environ)']
        }
      ]
    })
  );
  const open = () =>
    page.evaluate(p => {
      void (window as any).jupyterapp.commands.execute('docmanager:open', { path: p });
    }, `${tmpPath}/${name}`);

  await open();
  await expect(dialog(page)).toContainText('contains a GitHub token');
  // The default (focused) button is the safe one: Enter keeps everything as it is.
  await expect(dialog(page).getByRole('button', { name: 'Keep for now' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toHaveCount(0);
  await idle(page);
  expect(await page.notebook.getCellTextInput(0)).toContain(token);
  await page.notebook.runCell(1);
  expect(((await page.notebook.getCellTextOutput(1)) ?? []).join('').trim()).toBe('False False');
  await page.notebook.close(true);

  await open();
  await dialog(page).getByRole('button', { name: 'Remove from notebook' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(page.locator('.jp-Cell').first()).toContainText('GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "")');
  await idle(page);
  // Removing a token taken from the file gave the kernel nothing either.
  await page.notebook.runCell(1);
  expect(((await page.notebook.getCellTextOutput(1)) ?? []).join('').trim()).toBe('False False');
  // Saved as an autosave does (no checkpoint of its own): the guard must replace the checkpoint,
  // which JupyterLab took from the leaky file when it opened it.
  await page.notebook.save();
  await expect(dialog(page)).toHaveCount(0);
  expect(holdsToken(file)).toBe(false);
  const checkpoints = path.join(path.dirname(file), '.ipynb_checkpoints');
  await expect
    .poll(() => (fs.existsSync(checkpoints) ? fs.readdirSync(checkpoints).filter(f => f.startsWith('inherited')) : []))
    .not.toEqual([]);
  for (const entry of fs.readdirSync(checkpoints)) {
    expect(holdsToken(path.join(checkpoints, entry))).toBe(false);
  }
});

test('a token typed into a Python file in the text editor stops the save; Remove token writes the file without it', async ({
  page,
  tmpPath
}) => {
  const name = 'script.py';
  const file = onDisk(tmpPath, name);
  fs.writeFileSync(file, 'import requests\n');
  await page.evaluate(p => {
    void (window as any).jupyterapp.commands.execute('docmanager:open', { path: p, factory: 'Editor' });
  }, `${tmpPath}/${name}`);
  const editor = page.locator('.jp-FileEditor .cm-content');
  await expect(editor).toContainText('import requests');
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(`TOKEN = "${token}"\n`);
  await startSave(page);
  await expect(dialog(page)).toContainText('This file contains a GitHub token');
  await expect(dialog(page).locator('[data-testid="leak-list"]')).toContainText(
    `line 2: ${token.slice(0, 4)}...${token.slice(-4)}`
  );
  await dialog(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog(page)).toHaveCount(0);
  expect(fs.readFileSync(file, 'utf-8')).toBe('import requests\n');

  await startSave(page);
  await dialog(page).getByRole('button', { name: 'Remove token' }).click();
  await expect(dialog(page)).toHaveCount(0);
  await expect.poll(() => fs.readFileSync(file, 'utf-8')).toContain('TOKEN = "<GitHub token removed>"');
  expect(holdsToken(file)).toBe(false);
  // The editor shows what was saved: the token is not left in its buffer.
  await expect(editor).toContainText('TOKEN = "<GitHub token removed>"');
  await expect(editor).not.toContainText(token);
});

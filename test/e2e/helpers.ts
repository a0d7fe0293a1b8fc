/** Shared steps of the browser tests. */
import * as fs from 'fs';
import * as path from 'path';
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';

const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fake_github', 'tokens.json'), 'utf-8')) as {
  tokens: Record<string, { token: string; login: string | null }>;
};

/** The fake API's named test tokens (test/fake_github/tokens.json). */
export const TOKENS = Object.fromEntries(
  Object.entries(fixtures.tokens).map(([name, entry]) => [name, entry.token])
) as Record<string, string>;

export const FAKE_API = process.env.E2E_FAKE_GITHUB_URL || 'http://127.0.0.1:8765';
export const STATE_DIR = process.env.E2E_STATE_DIR as string;
/** The Jupyter server the tests drive (playwright.config.js sets the port). */
export const LAB_URL = `http://127.0.0.1:${process.env.E2E_LAB_PORT || '8899'}`;
/** The server extension's REST API. */
export const TOKEN_API = `${LAB_URL}/jupyterlab-github-token`;

export interface IFakeRequest {
  method: string;
  path: string;
  auth: string;
  status: number;
  /** The Origin header: set when the page itself asked (CORS), null when the Jupyter server did. */
  origin: string | null;
}

/** Change one setting of the panel plugin through JupyterLab's setting registry, as the Settings Editor does. */
export async function setPanelSetting(page: IJupyterLabPageFixture, key: string, value: string): Promise<void> {
  await page.evaluate(
    async ([key, value]) => {
      const registry = await window.galata.getPlugin('@jupyterlab/apputils-extension:settings');
      await registry?.set('jupyterlab-github-token:plugin', key, value);
    },
    [key, value] as const
  );
}

/** Clear the fake API's request log, revocations and rate counters. */
export async function resetFakeApi(): Promise<void> {
  const response = await fetch(`${FAKE_API}/_fake/reset`, { method: 'POST' });
  expect(response.ok).toBe(true);
}

/**
 * Make the server forget every token it holds (memory and keychain), as
 * Forget does. A verified token is held by the server for every tab and
 * outlives the test's page: without this, the next test would start signed
 * in. (Galata's server configuration turns authentication and XSRF off.)
 */
export async function resetServerToken(): Promise<void> {
  const response = await fetch(`${TOKEN_API}/token`, { method: 'DELETE' });
  expect(response.ok).toBe(true);
}

/** The server extension's status (contract: IServerStatus), as any tab sees it. */
export async function serverStatus(): Promise<{
  tokens: Array<{
    apiBaseUrl: string;
    masked: string;
    login: string | null;
    forNewKernels: boolean;
    remembered: boolean;
  }>;
  keychain: { enabled: boolean; available: boolean; backend: string | null; reason: string };
  kernels: string[];
  terminals: string[];
}> {
  const response = await fetch(`${TOKEN_API}/status`);
  expect(response.ok).toBe(true);
  return response.json();
}

/** API requests the fake received since the last reset (no preflights). */
export async function fakeApiRequests(): Promise<IFakeRequest[]> {
  const response = await fetch(`${FAKE_API}/_fake/requests`);
  const all = (await response.json()) as IFakeRequest[];
  return all.filter(r => r.method !== 'OPTIONS');
}

/**
 * Run a command from the command palette as a user does: open it (what
 * Ctrl+Shift+C runs), type the label, press Enter on the active match.
 * Retried as a whole: the modal palette closes itself when something else
 * takes focus (e.g. a notebook whose kernel just started).
 */
export async function runFromPalette(page: IJupyterLabPageFixture, label: string): Promise<void> {
  const palette = page.locator('#command-palette');
  await expect(async () => {
    if (!(await palette.isVisible())) {
      // Fire and forget: the command's promise need not settle while the palette is open.
      await page.evaluate(() => {
        void (window as any).jupyterapp.commands.execute('apputils:activate-command-palette');
      });
    }
    await palette.locator('input').fill(label, { timeout: 2000 });
    await expect(palette.locator('.lm-CommandPalette-item.lm-mod-active')).toContainText(label, { timeout: 2000 });
    await palette.locator('input').press('Enter', { timeout: 2000 });
  }).toPass({ timeout: 20000 });
}

/** Open the panel through the command palette, as a user would. */
export async function openPanelFromPalette(page: IJupyterLabPageFixture): Promise<void> {
  await runFromPalette(page, 'Configure GitHub token');
  await expect(page.locator('#jp-github-token-panel .jp-GitHubToken-content')).toBeVisible();
}

export const panel = (page: IJupyterLabPageFixture) => page.locator('#jp-github-token-panel');

/** Go to a step through the stepper. */
export async function goToStep(
  page: IJupyterLabPageFixture,
  step: 'access' | 'create' | 'verify' | 'use'
): Promise<void> {
  await panel(page).locator(`button[data-step="${step}"]`).click();
  await expect(panel(page).locator(`button[data-step="${step}"]`)).toHaveAttribute('aria-current', 'step');
}

/** Choose the access level in step 1. */
export async function chooseAccess(page: IJupyterLabPageFixture, label: RegExp): Promise<void> {
  await goToStep(page, 'access');
  await panel(page).getByRole('radio', { name: label }).check();
}

/**
 * Paste a token in step 3. A well-formed one is verified at once (and, when
 * the report is good and the server may hold it, held by the server).
 */
export async function pasteToken(page: IJupyterLabPageFixture, token: string): Promise<void> {
  await goToStep(page, 'verify');
  await panel(page).locator('#jp-github-token-input').fill(token);
}

const REPORT = '[data-testid="verify-result"] .jp-GitHubToken-report';
/** Marks a report shown before a paste, so that only the paste's own report ends the wait. */
const STALE = 'data-e2e-stale-report';

/**
 * Paste and wait for the report of the verification the paste starts by
 * itself: no click on Verify (that would verify twice). The repository to
 * check goes in first, so that the one verification includes it.
 */
export async function verifyToken(page: IJupyterLabPageFixture, token: string, repository = ''): Promise<void> {
  await goToStep(page, 'verify');
  await panel(page).locator('#jp-github-token-repo').fill(repository);
  // A new verification replaces the report element (the "Verifying…" line shows in between).
  await panel(page)
    .locator(REPORT)
    .evaluateAll((nodes, stale) => nodes.forEach(node => node.setAttribute(stale, '')), STALE);
  await panel(page).locator('#jp-github-token-input').fill(token);
  await expect(panel(page).locator(`${REPORT}:not([${STALE}])`)).toBeVisible();
}

/** The "Use in this notebook" button (in the verify step's report and in the use step). */
export const useInNotebookButton = (page: IJupyterLabPageFixture) =>
  panel(page).getByRole('button', { name: 'Use in this notebook' }).first();

/** What "Use in this notebook" did: the kernel's line, then the field's. */
export const useResult = (page: IJupyterLabPageFixture) => panel(page).locator('[data-testid="use-result"]');

/**
 * A form like LabConstrictor's (and other GitHub notebook templates'):
 * an ipywidgets Password field `github_token` its code reads `.value` of,
 * with a button that calls the (fake) API with it.
 */
export const TOKEN_FORM = [
  'import json, urllib.request',
  'import ipywidgets as widgets',
  'from IPython.display import display',
  `API = "${FAKE_API}"`,
  'github_token = widgets.Password(description="*Personal Access Token:")',
  'test_button = widgets.Button(description="Test Connection")',
  'result = widgets.Output()',
  'def test_connection(_):',
  '    request = urllib.request.Request(API + "/user", headers={"Authorization": "token " + github_token.value})',
  '    with result:',
  '        try:',
  '            with urllib.request.urlopen(request, timeout=5) as response:',
  '                print("Connected as", json.load(response)["login"])',
  '        except Exception as error:',
  '            print("Connection failed:", error)',
  'test_button.on_click(test_connection)',
  'display(github_token, test_button, result)'
].join('\n');

/** Set a cell's source as pasted (typing it would auto-indent the editor). */
export async function pasteCell(page: IJupyterLabPageFixture, index: number, source: string): Promise<void> {
  await page.notebook.setCell(index, 'code', '');
  await page.evaluate(
    ([i, text]) => {
      const notebook = (window as any).jupyterapp.shell.currentWidget.content;
      notebook.model.cells.get(i).sharedModel.setSource(text);
    },
    [index, source] as [number, string]
  );
}

/** The text output of a cell of the active notebook, trimmed. */
export async function cellOutput(page: IJupyterLabPageFixture, index: number): Promise<string> {
  return ((await page.notebook.getCellTextOutput(index)) ?? []).join('').trim();
}

/**
 * Counts the user's actions inside JupyterLab: every click, paste or
 * command a user makes goes through `act`; waiting and checking do not.
 */
export function actionCounter(): {
  act<T>(what: string, action: () => Promise<T>): Promise<T>;
  readonly count: number;
  readonly actions: string[];
} {
  const actions: string[] = [];
  return {
    act: <T>(what: string, action: () => Promise<T>): Promise<T> => {
      actions.push(what);
      return action();
    },
    get count() {
      return actions.length;
    },
    actions
  };
}

/** One script the extension's static folder served, with its size and whether it is Octokit. */
export interface IServedChunk {
  url: string;
  bytes: number;
  octokit: boolean;
}

/** Record every script served from the extension's static folder from now on. */
export function recordExtensionChunks(page: IJupyterLabPageFixture): IServedChunk[] {
  const served: IServedChunk[] = [];
  page.on('response', async response => {
    const url = response.url();
    if (!/\/lab\/extensions\/jupyterlab-github-token\/static\/.+\.js/.test(url)) {
      return;
    }
    const body = await response.body().catch(() => Buffer.alloc(0));
    // Octokit identifies itself in its user agent string.
    served.push({ url, bytes: body.length, octokit: body.includes('octokit-core.js') });
  });
  return served;
}

/** Every file below `dir` whose bytes contain one of `needles`. */
export function filesContaining(dir: string, needles: string[]): { scanned: number; hits: string[] } {
  let scanned = 0;
  const hits: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) {
      return;
    }
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        walk(p);
      } else if (entry.isFile()) {
        scanned++;
        const content = fs.readFileSync(p);
        if (needles.some(n => content.includes(n))) {
          hits.push(p);
        }
      }
    }
  };
  walk(dir);
  return { scanned, hits };
}

/** The open JupyterLab dialog. */
export const dialog = (page: IJupyterLabPageFixture) => page.locator('.jp-Dialog');

/** Wait until the active notebook's kernel is idle. */
export const idle = (page: IJupyterLabPageFixture) =>
  expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toHaveCount(1, { timeout: 30000 });

/** Save the active document as Ctrl+S does, without waiting (a dialog may hold it). */
export async function startSave(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('docmanager:save');
  });
}

/** Where the server keeps `name` of the test's folder on disk. */
export const onDisk = (tmpPath: string, name: string) => path.join(STATE_DIR, 'notebooks', tmpPath, name);

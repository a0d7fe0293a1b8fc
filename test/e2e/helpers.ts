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

/** Paste a token in step 3. */
export async function pasteToken(page: IJupyterLabPageFixture, token: string): Promise<void> {
  await goToStep(page, 'verify');
  await panel(page).locator('#jp-github-token-input').fill(token);
}

/** Paste, verify, and wait for the report. */
export async function verifyToken(page: IJupyterLabPageFixture, token: string, repository = ''): Promise<void> {
  await pasteToken(page, token);
  await panel(page).locator('#jp-github-token-repo').fill(repository);
  await panel(page).getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(panel(page).locator('[data-testid="verify-result"] .jp-GitHubToken-report')).toBeVisible();
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

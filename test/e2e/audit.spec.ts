/**
 * Disk audit after a whole session: verify, kernel environment, notebook field,
 * new kernels and terminals, save, kernel restart, server stop. Afterwards no file
 * under the session's Jupyter folders, notebook root, IPython directory, home and
 * temporary folders, browser profile (localStorage, IndexedDB, caches) or logs
 * may contain the token, in any of the encodings a store could use.
 *
 * This test does not use the shared JupyterLab of the Playwright config (it must
 * be stopped mid-test so that every process flushes its files): it starts its own
 * server, with every directory inside one audit folder, and its own Chromium with
 * an on-disk profile in that folder. Only the fake GitHub API of the config is shared.
 *
 * Knobs: AUDIT_LAB_PORT (default: a free port), AUDIT_LOG_LEVEL (server log level,
 * default DEBUG), AUDIT_DIR (default: a new folder under the OS temp dir; keep it
 * short, Chromium's socket path must fit in 107 bytes), AUDIT_KEEP=1 keeps the folder
 * after a pass (it is always kept after a failure).
 */
import { chromium, expect, test } from '@playwright/test';
import type { BrowserContext, Page, TestInfo } from '@playwright/test';
import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { FAKE_API, TOKENS, fakeApiRequests, resetFakeApi } from './helpers';
import { AREAS, IScan, describeHits, scanFolder, secretNeedles } from '../support/diskScan';
import { TOKEN_POLICY } from '../../src/policy/policy';

const ROOT = path.resolve(__dirname, '..', '..');
const TOKEN = TOKENS.classicRepo;
const LOGIN = 'octo-scientist'; // test/fake_github/tokens.json, classicRepo
const FIELD_DESCRIPTION = '*Personal Access Token:';
const NOTEBOOK_NAME = 'github-session.ipynb';

// ---------------------------------------------------------------------------
// The session's own JupyterLab server and browser.
// ---------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf-8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A random stand-in with the shape of a classic token, for the storage controls. */
function randomClassicLike(): string {
  const { bodyLength, checksumAlphabet: alphabet } = TOKEN_POLICY.fixedLength;
  const bytes = crypto.randomBytes(bodyLength);
  return 'ghp_' + Array.from(bytes, b => alphabet[b % alphabet.length]).join('');
}

interface IDirs {
  audit: string;
  state: string;
  notebooks: string;
  settings: string;
  ipython: string;
  runtime: string;
  config: string;
  data: string;
  home: string;
  tmp: string;
  profile: string;
  browserHome: string;
  browserTmp: string;
  logs: string;
  serverLog: string;
  scratch: string;
}

function makeDirs(): IDirs {
  const audit =
    process.env.AUDIT_DIR ||
    // Short: Chromium's singleton socket lives in the browser's TMPDIR, and socket paths
    // are limited to 107 bytes.
    fs.mkdtempSync(path.join(os.tmpdir(), 'jlgt-audit-'));
  const state = path.join(audit, 'jupyter');
  const dirs: IDirs = {
    audit,
    state,
    notebooks: path.join(state, 'notebooks'),
    settings: path.join(state, 'settings'),
    // The server config points kernels' IPYTHONDIR and JUPYTER_RUNTIME_DIR here too.
    ipython: path.join(state, 'ipython'),
    runtime: path.join(state, 'runtime'),
    config: path.join(audit, 'jupyter-config'),
    data: path.join(audit, 'jupyter-data'),
    home: path.join(audit, 'home'),
    tmp: path.join(audit, 'tmp'),
    profile: path.join(audit, 'browser-profile'),
    browserHome: path.join(audit, 'browser-home'),
    browserTmp: path.join(audit, 'browser-tmp'),
    logs: path.join(audit, 'logs'),
    serverLog: path.join(audit, 'logs', 'server.log'),
    scratch: path.join(audit, 'scratch')
  };
  for (const [key, dir] of Object.entries(dirs)) {
    if (key !== 'serverLog') {
      fs.mkdirSync(dir, { recursive: true });
    }
  }
  // Save ipywidgets state into notebooks: a filled Password widget is then the
  // hardest case for keeping the token out of the saved file.
  const widgets = path.join(dirs.settings, '@jupyter-widgets', 'jupyterlab-manager', 'plugin.jupyterlab-settings');
  fs.mkdirSync(path.dirname(widgets), { recursive: true });
  fs.writeFileSync(widgets, JSON.stringify({ saveState: true }));
  return dirs;
}

class LabServer {
  readonly url: string;
  private child: ChildProcess | null = null;
  exitCode: number | null = null;
  exitSignal: string | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private dirs: IDirs,
    private port: number
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(logLevel: string): Promise<void> {
    const { dirs } = this;
    const out = fs.openSync(dirs.serverLog, 'a');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${path.join(ROOT, '.venv', 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      E2E_STATE_DIR: dirs.state,
      E2E_LAB_PORT: String(this.port),
      E2E_FAKE_GITHUB_URL: FAKE_API,
      JUPYTER_CONFIG_DIR: dirs.config,
      JUPYTER_DATA_DIR: dirs.data,
      JUPYTER_RUNTIME_DIR: dirs.runtime,
      IPYTHONDIR: dirs.ipython,
      // Shell history of the terminal, and anything a kernel or the server puts in
      // a temporary file (Galata's bash rcfile, kernel temporaries), stay audited.
      HOME: dirs.home,
      XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
      XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
      XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
      TMPDIR: dirs.tmp
    };
    delete env.JUPYTER_TOKEN;
    delete env.JUPYTERLAB_GALATA_ROOT_DIR;
    // Started from its notebook root, as users usually start it: terminals open in the
    // server's working directory, and what they write stays inside the audit folder.
    this.child = spawn(
      'jupyter',
      ['lab', '--config', path.join(__dirname, 'jupyter_server_test_config.py'), `--Application.log_level=${logLevel}`],
      { cwd: dirs.notebooks, env, stdio: ['ignore', out, out], detached: true }
    );
    fs.closeSync(out);
    this.exited = new Promise(resolve => {
      this.child!.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`jupyter lab exited during start-up:\n${tail(dirs.serverLog)}`);
      }
      try {
        const response = await fetch(`${this.url}/lab`);
        if (response.ok) {
          return;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`jupyter lab did not answer on ${this.url}/lab:\n${tail(dirs.serverLog)}`);
      }
      await sleep(250);
    }
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async waitExit(ms: number): Promise<boolean> {
    return Promise.race([this.exited.then(() => true), sleep(ms).then(() => false)]);
  }

  /** Stop as a user would (File > Shut Down); escalate only if it does not exit. Returns how it stopped. */
  async stop(): Promise<string> {
    if (!this.child || !this.running) {
      return 'not running';
    }
    let how = 'POST /api/shutdown';
    try {
      const response = await fetch(`${this.url}/api/shutdown`, { method: 'POST' });
      how += ` (${response.status})`;
    } catch (error) {
      how += ` (${(error as Error).message})`;
    }
    if (await this.waitExit(30_000)) {
      return how;
    }
    const pid = this.child.pid!;
    process.kill(pid, 'SIGTERM');
    if (await this.waitExit(15_000)) {
      return `${how}, then SIGTERM`;
    }
    // The process group this test created: the server and its kernels and terminals.
    process.kill(-pid, 'SIGKILL');
    await this.waitExit(5_000);
    return `${how}, then SIGTERM, then SIGKILL`;
  }
}

// ---------------------------------------------------------------------------
// JupyterLab steps with plain Playwright.
// ---------------------------------------------------------------------------

const panelLocator = (page: Page) => page.locator('#jp-github-token-panel');

async function goToStep(page: Page, step: 'access' | 'create' | 'verify' | 'use'): Promise<void> {
  const button = panelLocator(page).locator(`button[data-step="${step}"]`);
  await button.click();
  await expect(button).toHaveAttribute('aria-current', 'step');
}

/** Wait for the notebook's kernel to be idle. */
async function waitKernelIdle(page: Page, notebook: string, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    nbPath => {
      const app = (window as any).jupyterapp;
      const panel = Array.from(app.shell.widgets('main') as Iterable<any>).find(w => w.context?.path === nbPath);
      return panel?.sessionContext?.session?.kernel?.status === 'idle';
    },
    notebook,
    { timeout }
  );
}

/** Put `source` in cell `index` of the notebook (adding cells as needed), run it, return its text output. */
async function runCell(page: Page, notebook: string, index: number, source: string): Promise<string> {
  return page.evaluate(
    async ({ nbPath, index, source }) => {
      const app = (window as any).jupyterapp;
      const panel = Array.from(app.shell.widgets('main') as Iterable<any>).find(w => w.context?.path === nbPath);
      app.shell.activateById(panel.id);
      const notebook = panel.content;
      const model = notebook.model;
      while (model.cells.length <= index) {
        model.sharedModel.insertCell(model.cells.length, { cell_type: 'code', source: '' });
      }
      model.cells.get(index).sharedModel.setSource(source);
      notebook.activeCellIndex = index;
      notebook.deselectAll();
      await app.commands.execute('notebook:run-cell');
      const text = (value: unknown) => (Array.isArray(value) ? value.join('') : String(value ?? ''));
      return (model.cells.get(index).outputs.toJSON() as any[])
        .map(o =>
          o.output_type === 'stream'
            ? text(o.text)
            : o.output_type === 'error'
              ? `${o.ename}: ${o.evalue}`
              : text(o.data?.['text/plain'])
        )
        .join('')
        .trim();
    },
    { nbPath: notebook, index, source }
  );
}

/**
 * Ctrl+S in the notebook; on the first save of an untitled notebook JupyterLab asks
 * for a name: answer `name`. Waits until the file on disk changed and the model is
 * clean; returns the notebook's path.
 */
async function saveWithKeyboard(page: Page, notebook: string, root: string, name: string): Promise<string> {
  const mtime = (p: string) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);
  const before = mtime(path.join(root, name));
  await page.evaluate(nbPath => {
    const app = (window as any).jupyterapp;
    const panel = Array.from(app.shell.widgets('main') as Iterable<any>).find(w => w.context?.path === nbPath);
    app.shell.activateById(panel.id);
    panel.content.mode = 'command';
    panel.content.node.focus();
  }, notebook);
  await page.keyboard.press('Control+s');
  const rename = page.locator('.jp-Dialog', { hasText: 'Rename file' });
  let saved = notebook;
  await expect
    .poll(async () => (await rename.isVisible()) || mtime(path.join(root, notebook)) > before, { timeout: 20_000 })
    .toBe(true);
  if (await rename.isVisible()) {
    await rename.locator('input').first().fill(name);
    await rename.getByRole('button', { name: 'Rename and Save' }).click();
    saved = name;
  }
  await expect.poll(() => mtime(path.join(root, saved)), { timeout: 20_000 }).toBeGreaterThan(before);
  await page.waitForFunction(
    nbPath => {
      const app = (window as any).jupyterapp;
      const panel = Array.from(app.shell.widgets('main') as Iterable<any>).find(w => w.context?.path === nbPath);
      return panel && !panel.context.model.dirty;
    },
    saved,
    { timeout: 20_000 }
  );
  return saved;
}

/** The ipywidgets state saved in a notebook file: model names, descriptions and the length of their value. */
function savedWidgetModels(file: string): Array<{ model: string; description: string; valueLength: number | null }> {
  const nb = JSON.parse(fs.readFileSync(file, 'utf-8'));
  const state = nb.metadata?.widgets?.['application/vnd.jupyter.widget-state+json']?.state ?? {};
  return Object.values(state as Record<string, any>).map(m => ({
    model: String(m.model_name),
    description: String(m.state?.description ?? ''),
    valueLength: typeof m.state?.value === 'string' ? m.state.value.length : null
  }));
}

/** The notebook "field": an ipywidgets form with a Password widget and a connection test. */
const FORM_CELL = [
  'import ipywidgets as widgets, os, json, urllib.request',
  'from IPython.display import display',
  `github_token = widgets.Password(description=${JSON.stringify(FIELD_DESCRIPTION)})`,
  'test_button = widgets.Button(description="Test Connection")',
  'connection_output = widgets.Output()',
  '',
  'def test_connection(_):',
  '    connection_output.clear_output()',
  '    request = urllib.request.Request(',
  `        ${JSON.stringify(FAKE_API + '/user')},`,
  '        headers={"Authorization": "token " + github_token.value, "Accept": "application/vnd.github+json"},',
  '    )',
  '    with connection_output:',
  '        try:',
  '            with urllib.request.urlopen(request, timeout=10) as response:',
  '                print("Connected as", json.load(response)["login"])',
  '        except Exception as error:  # never the token: the status only',
  '            print("Connection failed:", type(error).__name__, getattr(error, "code", ""))',
  '',
  'test_button.on_click(test_connection)',
  'display(widgets.VBox([github_token, test_button, connection_output]))'
].join('\n');

// ---------------------------------------------------------------------------
// The test.
// ---------------------------------------------------------------------------

// eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures from a destructured first argument
test('disk audit after a whole session: no file of the session contains the token', async ({}, testInfo: TestInfo) => {
  test.setTimeout(240_000);
  const dirs = makeDirs();
  const timings: Record<string, number> = {};
  let mark = Date.now();
  const step = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const value = await test.step(name, body);
    const now = Date.now();
    timings[name] = (now - mark) / 1000;
    mark = now;
    return value;
  };
  const notes: string[] = [];
  const logLevel = process.env.AUDIT_LOG_LEVEL || 'DEBUG';
  const port = Number(process.env.AUDIT_LAB_PORT || (await freePort()));
  const server = new LabServer(dirs, port);
  const canary = randomClassicLike();
  const secrets = {
    token: { value: TOKEN, needles: secretNeedles(TOKEN) },
    canary: { value: canary, needles: secretNeedles(canary) }
  };
  // (Assigned inside the steps' closures: declared so that TypeScript does not narrow them to null.)
  let context = null as BrowserContext | null;
  let midSession = null as IScan | null;
  let notebook = '';
  let notebookFile = '';
  let stoppedHow = '';
  let sessionError: unknown = null;

  await resetFakeApi();

  try {
    await step('start jupyter lab', () => server.start(logLevel));

    await step('start chromium with an on-disk profile', async () => {
      const launch = ((testInfo.project.use as any).launchOptions ?? {}) as { args?: string[] };
      context = await chromium.launchPersistentContext(dirs.profile, {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        args: launch.args ?? [],
        headless: true,
        viewport: { width: 1366, height: 900 },
        env: {
          ...process.env,
          HOME: dirs.browserHome,
          XDG_CONFIG_HOME: path.join(dirs.browserHome, '.config'),
          XDG_CACHE_HOME: path.join(dirs.browserHome, '.cache'),
          TMPDIR: dirs.browserTmp
        } as Record<string, string>
      });
    });
    const page = context!.pages()[0] ?? (await context!.newPage());

    await step('open JupyterLab', async () => {
      await page.goto(`${server.url}/lab`);
      await page.waitForFunction(() => !!(window as any).jupyterapp, undefined, { timeout: 60_000 });
      await page.evaluate(() => (window as any).jupyterapp.restored);
      await expect(page.locator('#jp-main-dock-panel')).toBeVisible();
      // Controls for the storage scan: a token-shaped random value (not the token)
      // in localStorage, sessionStorage and IndexedDB must be found on disk afterwards.
      await page.evaluate(async value => {
        localStorage.setItem('jupyterlab-github-token-audit-canary', value);
        sessionStorage.setItem('jupyterlab-github-token-audit-canary', value);
        await new Promise((resolve, reject) => {
          const open = indexedDB.open('jupyterlab-github-token-audit-canary', 1);
          open.onupgradeneeded = () => open.result.createObjectStore('kv');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction('kv', 'readwrite');
            tx.objectStore('kv').put(value, 'canary');
            tx.oncomplete = () => {
              db.close();
              resolve(null);
            };
            tx.onerror = () => reject(tx.error);
          };
        });
      }, canary);
    });

    await step('1. create a notebook and wait for its kernel', async () => {
      notebook = await page.evaluate(async () => {
        const app = (window as any).jupyterapp;
        const panel = await app.commands.execute('notebook:create-new', { kernelName: 'python3' });
        await panel.context.ready;
        await panel.sessionContext.ready;
        return panel.context.path as string;
      });
      await waitKernelIdle(page, notebook);
      expect(await runCell(page, notebook, 0, 'x = 40 + 2\nx')).toBe('42');
    });

    await step('2. paste and verify the token', async () => {
      await page.evaluate(() => (window as any).jupyterapp.commands.execute('github-token:configure'));
      await expect(panelLocator(page).locator('.jp-GitHubToken-content')).toBeVisible();
      await goToStep(page, 'verify');
      await panelLocator(page).locator('#jp-github-token-input').fill(TOKEN);
      await panelLocator(page).getByRole('button', { name: 'Verify', exact: true }).click();
      await expect(panelLocator(page).locator('[data-testid="verify-result"] .jp-GitHubToken-report')).toBeVisible();
      await expect(panelLocator(page).locator('[data-testid="account-login"]')).toHaveText(LOGIN);
      const requests = await fakeApiRequests();
      expect(requests.filter(r => r.method === 'GET' && r.path === '/user' && r.auth === 'classicRepo').length).toBe(1);
    });

    await step('3. write to the kernel environment and read it from a cell', async () => {
      await goToStep(page, 'use');
      await panelLocator(page).getByRole('button', { name: 'Write to kernel environment' }).click();
      const result = panelLocator(page).locator('[data-testid="kernel-write-result"] p');
      await expect(result).toHaveAttribute('data-ok', 'true');
      const out = await runCell(
        page,
        notebook,
        1,
        'import os\nprint(len(os.environ["GITHUB_TOKEN"]), os.environ["GITHUB_TOKEN"] == os.environ["GH_TOKEN"])'
      );
      expect(out).toBe(`${TOKEN.length} True`);
    });

    await step('4. notebook field: ipywidgets form, write-notebook-field, Test Connection', async () => {
      await runCell(page, notebook, 2, FORM_CELL);
      const password = page.locator('.jp-Notebook .jupyter-widgets input[type="password"]');
      const testButton = page.locator('.jp-Notebook button.widget-button', { hasText: 'Test Connection' });
      await expect(password).toHaveCount(1);
      await expect(testButton).toBeVisible();

      const before = (await fakeApiRequests()).filter(r => r.path === '/user' && r.auth === 'classicRepo').length;
      await page.evaluate(async () => {
        await (window as any).jupyterapp.commands.execute('github-token:write-notebook-field');
      });
      const fieldResult = panelLocator(page).locator('[data-testid="notebook-field-result"] p').last();
      await expect(fieldResult, 'notebook field result in the panel').toHaveAttribute('data-ok', 'true');
      // The widget in the page and in the kernel now holds the token (compared, never shown).
      const filledInPage = await password.evaluate(
        (input, token) => (input as HTMLInputElement).value === token,
        TOKEN
      );
      expect.soft(filledInPage, 'the Password widget in the page holds the token').toBe(true);
      const inKernel = await runCell(
        page,
        notebook,
        3,
        'print(len(github_token.value), github_token.value == os.environ.get("GITHUB_TOKEN"))'
      );
      expect.soft(inKernel, 'the Password widget in the kernel holds the token').toBe(`${TOKEN.length} True`);

      await testButton.click();
      const connected = page.locator('.jp-Notebook .widget-output').getByText(/Connected as|Connection failed/);
      await expect(connected).toBeVisible();
      await expect.soft(connected, 'Test Connection').toHaveText(`Connected as ${LOGIN}`);
      const after = (await fakeApiRequests()).filter(r => r.path === '/user' && r.auth === 'classicRepo');
      expect.soft(after.length, 'the fake API saw Test Connection with the token').toBe(before + 1);
      notes.push(`Test Connection printed: ${await connected.textContent()}`);
    });

    await step('5. use for new kernels and terminals; a terminal', async () => {
      await goToStep(page, 'use');
      const toggle = panelLocator(page).getByRole('switch', { name: /Use for new kernels and terminals/ });
      await expect(toggle).not.toBeChecked();
      await toggle.click();
      await expect(toggle).toBeChecked();
      await expect(panelLocator(page).locator('[data-testid="server-held"]')).toContainText(
        `ghp_...${TOKEN.slice(-4)}`
      );

      const terminalId = await page.evaluate(async () => {
        const app = (window as any).jupyterapp;
        const widget = await app.commands.execute('terminal:create-new');
        return widget.id as string;
      });
      await page.waitForFunction(
        id => {
          const app = (window as any).jupyterapp;
          const widget = Array.from(app.shell.widgets('main') as Iterable<any>).find(w => w.id === id);
          return widget?.content?.session?.connectionStatus === 'connected';
        },
        terminalId,
        { timeout: 30_000 }
      );
      const marker = path.join(dirs.notebooks, 'audit-terminal.txt');
      await page.locator(`[id="${terminalId}"] .xterm`).click();
      // Harmless: the length of the variable, a marker file, and the shell history flushed to $HOME.
      await page.keyboard.type(
        'test ${#GITHUB_TOKEN} -eq 40 && echo "audit-terminal-$((6*7))" > audit-terminal.txt; history -a'
      );
      await page.keyboard.press('Enter');
      await expect
        .poll(() => (fs.existsSync(marker) ? fs.readFileSync(marker, 'utf-8').trim() : ''), { timeout: 20_000 })
        .toBe('audit-terminal-42');
    });

    await step('6a. save the notebook (Ctrl+S)', async () => {
      notebook = await saveWithKeyboard(page, notebook, dirs.notebooks, NOTEBOOK_NAME);
      expect(notebook).toBe(NOTEBOOK_NAME);
      notebookFile = path.join(dirs.notebooks, notebook);
      const models = savedWidgetModels(notebookFile);
      const saved = models.find(m => m.model === 'PasswordModel' && m.description === FIELD_DESCRIPTION);
      expect(saved, 'the saved widget state has the Password widget').toBeTruthy();
      notes.push(
        `first save: ${models.length} widget models; the Password model's saved value has ${saved?.valueLength} characters`
      );
      // What is on disk now (the next save overwrites the notebook): scan everything.
      midSession = scanFolder(dirs.audit, { token: secrets.token });
    });

    await step('6b. restart the kernel, run a cell, save again', async () => {
      // JupyterLab's file browser can list the folder while the first save renames
      // Untitled.ipynb (jupyter_server then answers 404 for the whole listing) and
      // shows "Directory not found": a race of theirs, seen once in CI. Close it, say so.
      const stray = page.locator('.jp-Dialog', { hasText: 'Directory not found' });
      if (await stray.count()) {
        notes.push('closed JupyterLab\'s "Directory not found" dialog (its listing raced the rename on first save)');
        await stray.getByRole('button', { name: 'Close' }).click();
        await expect(stray).toHaveCount(0);
      }
      await page.evaluate(nbPath => {
        const app = (window as any).jupyterapp;
        const panel = Array.from(app.shell.widgets('main') as Iterable<any>).find(w => w.context?.path === nbPath);
        app.shell.activateById(panel.id);
        void app.commands.execute('notebook:restart-kernel');
      }, notebook);
      const dialog = page.locator('.jp-Dialog', { hasText: 'Restart' });
      await dialog.locator('.jp-mod-accept').click();
      await expect(dialog).toHaveCount(0);
      // Variables are gone after a restart; the environment is the one the kernel was started with.
      let afterRestart = '';
      await expect
        .poll(
          async () => {
            try {
              await waitKernelIdle(page, notebook, 5_000);
              afterRestart = await runCell(
                page,
                notebook,
                4,
                'import os\nprint("github_token" in globals(), len(os.environ.get("GITHUB_TOKEN", "")))'
              );
            } catch {
              afterRestart = 'not ready';
            }
            return afterRestart;
          },
          { timeout: 60_000 }
        )
        .toMatch(/^False \d+$/);
      notes.push(`after the restart: "github_token" defined, len(GITHUB_TOKEN) = ${afterRestart}`);
      await saveWithKeyboard(page, notebook, dirs.notebooks, NOTEBOOK_NAME);
      const models = savedWidgetModels(notebookFile);
      notes.push(`widget models in the final save: ${models.map(m => m.model).join(', ') || 'none'}`);
    });
  } catch (error) {
    sessionError = error;
  } finally {
    await step('7a. stop the server', async () => {
      stoppedHow = await server.stop();
    });
    await step('7b. close the browser (flushes the profile)', async () => {
      await context?.close();
    });
  }

  // Control: the scanner finds the token in each encoding it claims to cover.
  const control = await step('scanner control (fixtures in scratch)', async () => {
    const fixtures: Record<string, [Buffer, string]> = {
      'ascii.txt': [Buffer.from(`before ${TOKEN} after`), 'ascii/utf-8'],
      'utf16le.bin': [Buffer.from(`"${TOKEN}"`, 'utf16le'), 'utf-16le'],
      'base64-0.txt': [Buffer.from('x' + Buffer.from(TOKEN + '!').toString('base64')), 'base64 (offset 0)'],
      'base64-1.txt': [Buffer.from('x' + Buffer.from('a' + TOKEN + '!').toString('base64')), 'base64 (offset 1)'],
      'base64-2.txt': [Buffer.from('x' + Buffer.from('ab' + TOKEN + '!').toString('base64')), 'base64 (offset 2)'],
      'pieces.bin': [
        Buffer.concat(
          [4, 16, 28].map(start =>
            Buffer.concat([Buffer.from([0x11, 0x2c, 0x00]), Buffer.from(TOKEN.slice(start, start + 12))])
          )
        ),
        'piece 2/3 (ascii)'
      ]
    };
    for (const [name, [bytes]] of Object.entries(fixtures)) {
      fs.writeFileSync(path.join(dirs.scratch, name), bytes);
    }
    const found = scanFolder(dirs.scratch, { token: secrets.token });
    fs.rmSync(dirs.scratch, { recursive: true, force: true });
    const byFile = Object.fromEntries(found.hits.map(h => [h.file.replace(/^scratch\//, ''), h.encodings]));
    return Object.entries(fixtures).map(([name, [, encoding]]) => ({
      name,
      expected: encoding,
      found: (byFile[name] ?? []).includes(encoding),
      asciiToo: (byFile[name] ?? []).includes('ascii/utf-8')
    }));
  });

  const scan = await step('scan every file of the audit folder', async () => scanFolder(dirs.audit, secrets));

  const fileExists = (p: string) => fs.existsSync(p) && fs.statSync(p).isFile();
  const fileHas = (p: string, text: string) => fileExists(p) && fs.readFileSync(p).includes(text);
  const serverLogText = fileExists(dirs.serverLog) ? fs.readFileSync(dirs.serverLog, 'utf-8') : '';
  const historyDb = path.join(dirs.ipython, 'profile_default', 'history.sqlite');
  const profileDefault = path.join(dirs.profile, 'Default');
  const summary = {
    auditDir: dirs.audit,
    port,
    serverLogLevel: logLevel,
    serverStopped: stoppedHow,
    serverExit: { code: server.exitCode, signal: server.exitSignal },
    notebook,
    filesScanned: scan.files,
    bytesScanned: scan.bytes,
    symlinksSkipped: scan.symlinks,
    unreadable: scan.unreadable,
    perArea: Object.fromEntries(
      AREAS.map(([area]) => [area, scan.perArea[area] ?? { files: 0, bytes: 0 }]).concat(
        scan.perArea.other ? [['other', scan.perArea.other]] : []
      )
    ),
    tokenHits: describeHits(scan.hits.filter(h => h.secret === 'token')),
    midSessionScan: midSession && {
      files: midSession.files,
      bytes: midSession.bytes,
      tokenHits: describeHits(midSession.hits)
    },
    storageControl: describeHits(scan.hits.filter(h => h.secret === 'canary')),
    scannerControl: control,
    checks: {
      historySqlite: fileExists(historyDb),
      historyHasSessionCells: fileHas(historyDb, 'x = 40 + 2'),
      bashHistoryHasTerminalCommand: fileHas(path.join(dirs.home, '.bash_history'), 'audit-terminal-'),
      serverLogBytes: serverLogText.length,
      serverLogHasTokenRequests:
        serverLogText.includes('POST /jupyterlab-github-token/github') &&
        serverLogText.includes('PUT /jupyterlab-github-token/token'),
      localStorageDir: fs.existsSync(path.join(profileDefault, 'Local Storage')),
      indexedDbDir: fs.existsSync(path.join(profileDefault, 'IndexedDB'))
    },
    timingsSeconds: timings,
    notes
  };
  const text = JSON.stringify(summary, null, 2);
  console.log(`Disk audit summary:\n${text}`);
  await testInfo.attach('disk-audit-summary.json', { body: text, contentType: 'application/json' });

  if (sessionError) {
    console.log(
      `The session failed; the audit folder is kept: ${dirs.audit}\nServer log tail:\n${tail(dirs.serverLog, 15)}`
    );
    throw sessionError;
  }

  // The scanner works: every fixture encoding, and the browser's stores once flushed.
  for (const c of control) {
    expect.soft(c.found, `scanner control ${c.name} (${c.expected})`).toBe(true);
  }
  expect
    .soft(control.find(c => c.name === 'pieces.bin')?.asciiToo, 'the pieces fixture has no whole token')
    .toBe(false);
  const canaryAreas = new Set(scan.hits.filter(h => h.secret === 'canary').map(h => h.area));
  expect.soft(canaryAreas.has('browser: Local Storage'), 'the localStorage control value is found on disk').toBe(true);
  expect.soft(canaryAreas.has('browser: IndexedDB'), 'the IndexedDB control value is found on disk').toBe(true);

  // The audit scanned the places it claims to.
  expect.soft(server.exitCode, 'the server exited cleanly').toBe(0);
  expect.soft(summary.checks.historySqlite, 'IPython history.sqlite exists').toBe(true);
  expect.soft(summary.checks.historyHasSessionCells, "history.sqlite holds this session's cells").toBe(true);
  expect.soft(summary.checks.bashHistoryHasTerminalCommand, "the terminal's shell history was written").toBe(true);
  expect.soft(summary.checks.serverLogBytes, 'server.log is not empty').toBeGreaterThan(0);
  expect.soft(summary.checks.serverLogHasTokenRequests, "server.log logged the extension's token requests").toBe(true);
  expect.soft(summary.checks.localStorageDir, 'the profile has Local Storage').toBe(true);
  expect.soft(summary.checks.indexedDbDir, 'the profile has IndexedDB').toBe(true);
  for (const area of [
    'notebook root',
    'workspaces',
    'settings',
    'ipython',
    'jupyter data',
    'server home',
    'server tmp',
    'browser: Local Storage',
    'browser: IndexedDB',
    'browser: rest of profile',
    'logs'
  ]) {
    expect.soft(scan.perArea[area]?.files ?? 0, `files scanned in ${area}`).toBeGreaterThan(0);
  }
  expect.soft(scan.unreadable, 'unreadable files').toEqual([]);

  // The verdict: no file, during or after the session, holds the token.
  expect(summary.midSessionScan?.tokenHits, 'files holding the token after the first save').toEqual([]);
  expect(summary.tokenHits, 'files holding the token after the session').toEqual([]);

  if (!process.env.AUDIT_KEEP && testInfo.errors.length === 0) {
    fs.rmSync(dirs.audit, { recursive: true, force: true });
  } else {
    console.log(`Audit folder kept: ${dirs.audit}`);
  }
});

/**
 * The hostile-input corpus (test/corpus/hostile-strings.json) typed into the
 * panel's token field of a real JupyterLab, with a real ipykernel behind the
 * notebook: every string gets a refusal the user can see, the write commands
 * send nothing to the kernel, and the kernel shows no sign of any payload
 * having run, while a naive payload run on purpose (the control) does.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import {
  STATE_DIR,
  TOKENS,
  openPanelFromPalette,
  goToStep,
  panel,
  resetFakeApi,
  resetServerToken,
  verifyToken
} from './helpers';

const CORPUS_TEXT = fs.readFileSync(path.join(__dirname, '..', 'corpus', 'hostile-strings.json'), 'utf-8');
const corpus = JSON.parse(CORPUS_TEXT) as {
  strings: string[];
  group: string[];
  payloads: number[];
  controls: { index: number; wrapper: string; group: string }[];
};
const NOTEBOOK = 'hostile.ipynb';
const MARKERS = ['GHT_SENTINEL', 'ght-sentinel', '__import__'];

const idle = (page: IJupyterLabPageFixture) =>
  expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toHaveCount(1, { timeout: 30000 });

/** Set a cell's source as pasted (typing it would auto-indent and auto-close). */
async function pasteCell(page: IJupyterLabPageFixture, index: number, source: string): Promise<void> {
  await page.evaluate(
    ([i, text]) => {
      const notebook = (window as any).jupyterapp.shell.currentWidget.content;
      notebook.model.cells.get(i).sharedModel.setSource(text);
    },
    [index, source] as [number, string]
  );
}

/** What the kernel shows of the sentinel: never an environment value. */
// (Spelled in pieces, so that the page never contains the markers it looks for.)
const PROBE = [
  'import builtins, glob, json, os',
  'print(json.dumps({"sentinel": builtins.__dict__.get("GHT_" + "SENTINEL"), "files": sorted(glob.glob("ght-" + "sentinel-*")),',
  '                  "token_vars": sorted(k for k in ("GITHUB_TOKEN", "GH_TOKEN") if k in os.environ)}))'
].join('\n');

async function probe(
  page: IJupyterLabPageFixture
): Promise<{ sentinel: number[] | null; files: string[]; token_vars: string[] }> {
  await page.notebook.activate(NOTEBOOK);
  await pasteCell(page, 0, PROBE);
  await page.notebook.runCell(0);
  const text = ((await page.notebook.getCellTextOutput(0)) ?? []).join('').trim();
  return JSON.parse(text.split('\n').pop() as string);
}

/** Every `ght-sentinel-*` file below `dir`. */
function sentinelFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        walk(p);
      } else if (entry.name.startsWith('ght-sentinel-')) {
        found.push(p);
      }
    }
  };
  walk(dir);
  return found;
}

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

test('every hostile string typed as the token is refused visibly, and nothing reaches the kernel', async ({ page }) => {
  test.setTimeout(20 * 60 * 1000);
  expect(corpus.strings.length).toBeGreaterThanOrEqual(1000);
  await page.notebook.createNew(NOTEBOOK);
  await page.notebook.addCell('code', '');
  await idle(page);
  // The kernel is up and runs Python.
  expect((await probe(page)).sentinel).toBeNull();

  await openPanelFromPalette(page);
  await goToStep(page, 'verify');

  const started = Date.now();
  const report = await page.evaluate(
    async ({ text, notebookPath, markers }) => {
      const corpus = JSON.parse(text) as { strings: string[]; group: string[] };
      const app = (window as any).jupyterapp;
      const notebook = Array.from(app.shell.widgets('main') as Iterable<any>).find(
        w => w.context?.path === notebookPath || w.context?.path?.endsWith('/' + notebookPath)
      );
      const kernel = notebook.sessionContext.session.kernel;
      // Every message the page sends to the notebook's kernel from now on.
      const sent: Record<string, number> = {};
      (window as any).__ghtSent = sent;
      kernel.anyMessage.connect((_: unknown, args: any) => {
        if (args.direction === 'send') {
          sent[args.msg.header.msg_type] = (sent[args.msg.header.msg_type] ?? 0) + 1;
        }
      });

      const root = document.querySelector('#jp-github-token-panel') as HTMLElement;
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      const frame = () => new Promise<void>(resolve => requestAnimationFrame(() => resolve()));
      const until = async (condition: () => unknown, what: string) => {
        for (let k = 0; k < 300; k++) {
          if (condition()) {
            return;
          }
          await frame();
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      const input = () => root.querySelector('#jp-github-token-input') as HTMLInputElement | null;
      // The field is an uncontrolled React input: set the DOM value and fire `input`, as typing does.
      const type = (value: string) => {
        const field = input();
        if (!field) {
          const step = root.querySelector('[aria-current="step"]')?.getAttribute('data-step');
          throw new Error(`no token field (step ${step}): ${root.textContent?.slice(0, 200)}`);
        }
        setValue.call(field, value);
        field.dispatchEvent(new Event('input', { bubbles: true }));
      };
      const shows = (html: string) => markers.filter(m => html.includes(m));
      const hasFieldCommand = app.commands.hasCommand('github-token:write-notebook-field');
      const run = async (id: string) => {
        try {
          return await app.commands.execute(id);
        } catch (error) {
          return { thrown: String(error) };
        }
      };

      const problems: string[] = [];
      const results: Record<string, number> = {};
      const count = (key: string) => (results[key] = (results[key] ?? 0) + 1);
      const errorTexts = new Set<string>();
      let sanitized = 0;
      let emptied = 0;
      for (let i = 0; i < corpus.strings.length; i++) {
        const s = corpus.strings[i];
        const where = `#${i} [${corpus.group[i]}] ${JSON.stringify(s.slice(0, 40))}`;
        if (!input()) {
          (root.querySelector('button[data-step="verify"]') as HTMLButtonElement).click();
          await until(input, 'the token field');
        }
        // From a known state (empty field, no format line) to the hostile string.
        type('');
        await until(() => !root.querySelector('[data-testid="token-kind"]'), 'the empty field');
        type(s);
        const held = input()!.value;
        if (held !== s) {
          sanitized++; // <input> strips CR and LF
        }
        if (held === '') {
          emptied++;
        } else {
          await until(() => root.querySelector('[data-testid="token-kind"]'), 'the format check');
        }
        const errors = Array.from(root.querySelectorAll('[data-testid="format-error"]'), e => e.textContent ?? '');
        errors.forEach(e => errorTexts.add(e));
        const hint = root.querySelector('#jp-github-token-format')?.textContent ?? '';
        if (input()!.getAttribute('value')) {
          problems.push(`${where}: the field mirrors its value into the DOM`);
        }
        for (const marker of shows(root.innerHTML)) {
          problems.push(`${where}: the panel shows ${marker} after typing`);
        }
        for (const e of errors) {
          if (s.length > 3 && e.includes(s)) {
            problems.push(`${where}: the format error repeats the string`);
          }
        }

        const toKernel = await run('github-token:write-kernel-environment');
        const toField = hasFieldCommand ? await run('github-token:write-notebook-field') : 'missing';
        for (const [name, result] of [
          ['kernel', toKernel],
          ['field', toField]
        ] as const) {
          count(
            `${name}: ${result === null ? 'null' : result === 'missing' ? 'missing' : result?.ok === false ? `ok=false ${result.problem}` : JSON.stringify(result).slice(0, 60)}`
          );
          if (result && result !== 'missing' && result.ok !== false) {
            problems.push(`${where}: ${name} command did not refuse: ${JSON.stringify(result).slice(0, 100)}`);
          }
          if (result?.ok === false && (!result.message || (s.length > 3 && result.message.includes(s)))) {
            problems.push(`${where}: ${name} refusal has no clear message`);
          }
        }
        // The commands open the panel's last step: it says there is no token.
        await until(
          () => !input() && root.querySelector('button[data-step="use"][aria-current="step"]'),
          'the use step'
        );
        const useStep = root.querySelector('.jp-GitHubToken-use')?.textContent ?? '';
        if (!/No token yet/.test(useStep)) {
          problems.push(
            `${where}: the use step does not say that there is no token: ${JSON.stringify(useStep.slice(0, 80))}`
          );
        }
        const refusedByResult = [toKernel, toField].some((r: any) => r && r.ok === false && r.message);
        const refusedByFormat = errors.length > 0;
        // An empty field (e.g. only line breaks, which <input> strips) shows the paste hint.
        const emptyWithHint = held === '' && /Paste the token/.test(hint);
        if (!refusedByFormat && !refusedByResult && !emptyWithHint) {
          problems.push(`${where}: no visible refusal (hint: ${JSON.stringify(hint.slice(0, 60))})`);
        }
        for (const marker of shows(root.innerHTML)) {
          problems.push(`${where}: the panel shows ${marker} after the commands`);
        }
      }
      return {
        strings: corpus.strings.length,
        sent: { ...sent },
        problems,
        results,
        sanitized,
        emptied,
        hasFieldCommand,
        errorTexts: [...errorTexts].slice(0, 40),
        bodyMarkers: shows(document.body.innerHTML)
      };
    },
    { text: CORPUS_TEXT, notebookPath: NOTEBOOK, markers: MARKERS }
  );
  const seconds = (Date.now() - started) / 1000;
  const out = path.join(__dirname, 'test-results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'hostile-report.json'), JSON.stringify({ seconds, ...report }, null, 2));
  console.log(
    `hostile corpus in the browser: ${report.strings} strings in ${seconds.toFixed(1)} s; ` +
      `sent to the kernel: ${JSON.stringify(report.sent)}; results: ${JSON.stringify(report.results)}; ` +
      `${report.sanitized} changed by <input> (CR/LF), ${report.emptied} left it empty; ` +
      `${report.errorTexts.length} distinct format errors`
  );

  expect(report.problems.slice(0, 30)).toEqual([]);
  expect(report.problems).toHaveLength(0);
  // Not one execute request (nor anything else) went to the kernel during the loop.
  expect(report.sent['execute_request'] ?? 0).toBe(0);
  expect(report.bodyMarkers).toEqual([]);
  expect(await page.content()).not.toContain('GHT_SENTINEL');
  await expect(panel(page)).not.toContainText('ght-sentinel');

  // The kernel: no sentinel, no file, no token variables; and the message counter works.
  const after = await probe(page);
  expect(after).toEqual({ sentinel: null, files: [], token_vars: [] });
  expect(await page.evaluate(() => (window as any).__ghtSent['execute_request'])).toBeGreaterThanOrEqual(1);
  expect(sentinelFiles(path.join(STATE_DIR, 'notebooks'))).toEqual([]);

  // Control, in the same kernel: a payload concatenated naively into a cell runs.
  const python = corpus.controls.find(c => c.wrapper === "x = '@@'" && c.group === 'quote-breakout')!;
  const shell = corpus.controls.find(c => c.wrapper.startsWith('!echo') && c.group === 'shell')!;
  await pasteCell(page, 1, python.wrapper.replace('@@', corpus.strings[python.index]));
  await page.notebook.runCell(1);
  await pasteCell(page, 1, shell.wrapper.replace('@@', corpus.strings[shell.index]));
  await page.notebook.runCell(1);
  const control = await probe(page);
  expect(control.sentinel).toEqual([python.index]);
  expect(control.files).toEqual([`ght-sentinel-${shell.index}`]);
  expect(sentinelFiles(path.join(STATE_DIR, 'notebooks')).map(f => path.basename(f))).toEqual([
    `ght-sentinel-${shell.index}`
  ]);

  // Clean up what the control did.
  await pasteCell(
    page,
    1,
    'import builtins, glob, os\nbuiltins.__dict__.pop("GHT_" + "SENTINEL", None)\nfor f in glob.glob("ght-" + "sentinel-*"):\n    os.remove(f)'
  );
  await page.notebook.runCell(1);
  expect(await probe(page)).toEqual({ sentinel: null, files: [], token_vars: [] });

  // And the loop's instruments do see a real write: a well-formed token (verified
  // by itself on paste, then held by the server) is written with two execute
  // requests: the check whether the kernel logs what it receives (without the
  // token), then the write.
  await verifyToken(page, TOKENS.classicRepo);
  const write = await page.evaluate(async () => {
    const sent = (window as any).__ghtSent;
    const before = sent['execute_request'] ?? 0;
    const result = await (window as any).jupyterapp.commands.execute('github-token:write-kernel-environment');
    return { ok: result?.ok, executes: (sent['execute_request'] ?? 0) - before };
  });
  expect(write).toEqual({ ok: true, executes: 2 });

  // The notebook field command exists (added with the notebook field feature).
  expect(report.hasFieldCommand).toBe(true);
});

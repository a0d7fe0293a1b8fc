/**
 * What the leak guard adds to Ctrl+S on a large, clean notebook: the median
 * time of `docmanager:save` (what Ctrl+S runs: serialise, scan, PUT, write,
 * checkpoint) with the guard on, and with `leakGuard` off (only the saved
 * widget state is still scrubbed), in Debian Chromium against a real
 * JupyterLab. Prints the ratio; the goal is at most 1.05.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { STATE_DIR } from '../e2e/helpers';

const SAVES = 9;

/** A clean notebook of about `megabytes` MB: cells with a base64 image output and a text stream. */
function largeNotebook(megabytes: number): string {
  const image = 'iVBORw0KGgoAAAANSUhEUgAA' + 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo+/'.repeat(1400);
  const count = Math.round((megabytes * 1e6) / (image.length + 2200));
  const cells = Array.from({ length: count }, (_, i) => ({
    cell_type: 'code',
    id: `cell-${i}`,
    metadata: {},
    execution_count: i + 1,
    source: [`df_${i} = load("data_${i}.csv")\n`, `plot(df_${i})`],
    outputs: [
      { output_type: 'display_data', data: { 'image/png': image, 'text/plain': ['<Figure>'] }, metadata: {} },
      { output_type: 'stream', name: 'stdout', text: ['row,value\n'.repeat(200)] }
    ]
  }));
  return JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
}

async function setGuard(page: IJupyterLabPageFixture, on: boolean): Promise<void> {
  await page.evaluate(async value => {
    const registry = await (window as any).galata.getPlugin('@jupyterlab/apputils-extension:settings');
    await registry.set('jupyterlab-github-token:plugin', 'leakGuard', value);
  }, on);
}

/** Median milliseconds of `SAVES` saves of the active notebook (each after an edit, so it is dirty). */
async function medianSave(page: IJupyterLabPageFixture): Promise<number> {
  const times = await page.evaluate(async saves => {
    const app = (window as any).jupyterapp;
    const out: number[] = [];
    for (let i = 0; i < saves; i++) {
      const panel = app.shell.currentWidget;
      panel.content.model.cells.get(0).sharedModel.setSource(`edit = ${i}`);
      const start = performance.now();
      await app.commands.execute('docmanager:save');
      out.push(performance.now() - start);
    }
    return out;
  }, SAVES);
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

for (const megabytes of [10, 21.8]) {
  test(`Ctrl+S of a clean ${megabytes} MB notebook with and without the leak guard`, async ({ page, tmpPath }) => {
    const name = `large-${megabytes}.ipynb`;
    const file = path.join(STATE_DIR, 'notebooks', tmpPath, name);
    fs.writeFileSync(file, largeNotebook(megabytes));
    const bytes = fs.statSync(file).size;
    await page.evaluate(
      p => (window as any).jupyterapp.commands.execute('docmanager:open', { path: p }),
      `${tmpPath}/${name}`
    );
    await expect(page.locator('.jp-Cell').first()).toBeVisible({ timeout: 60000 });
    await medianSave(page); // warm-up: JIT, first checkpoint
    const results: Record<string, number> = {};
    for (const round of [1, 2]) {
      await setGuard(page, true);
      results[`on${round}`] = await medianSave(page);
      await setGuard(page, false);
      results[`off${round}`] = await medianSave(page);
    }
    await setGuard(page, true);
    const on = Math.min(results.on1, results.on2);
    const off = Math.min(results.off1, results.off2);
    const ratio = on / off;
    const line = `save bench: ${(bytes / 1e6).toFixed(1)} MB notebook, median of ${SAVES} saves: guard on ${on.toFixed(0)} ms, off ${off.toFixed(0)} ms, ratio ${ratio.toFixed(3)} (goal <= 1.05)`;
    console.log(line);
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.appendFileSync(path.join(__dirname, 'results', 'save-bench.txt'), line + '\n');
  });
}

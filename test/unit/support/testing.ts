/** Small helpers shared by the unit tests (not a test file: jest runs only *.spec.ts). */

/** A deterministic pseudo-random generator (mulberry32): the same inputs on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Milliseconds taken by `fn`. */
export function timed(fn: () => void): number {
  const start = Date.now();
  fn();
  return Date.now() - start;
}

/** An nbformat 4 notebook with one code cell and a saved Password widget whose value is `widgetValue`. */
export function notebookWithPassword(source: string, widgetValue = ''): any {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      widgets: {
        'application/vnd.jupyter.widget-state+json': {
          version_major: 2,
          version_minor: 0,
          state: { abc: { model_name: 'PasswordModel', state: { description: 'Token', value: widgetValue } } }
        }
      }
    },
    cells: [{ cell_type: 'code', id: 'c1', metadata: {}, execution_count: null, outputs: [], source }]
  };
}

/**
 * A realistic large notebook (shared by the 20 MB scan test and test/bench/scan_bench.js): `cellCount` code
 * cells, each with a 50 KB base64 PNG-like output and a text stream, and saved state for 400 Password
 * widgets, the last of which holds `widgetToken`. 400 cells make 21.8 MB.
 */
export function largeNotebook(cellCount: number, widgetToken: string): any {
  const b64 = 'iVBORw0KGgoAAAANSUhEUgAA' + 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo+/'.repeat(1400);
  const cells = Array.from({ length: cellCount }, (_, i) => ({
    cell_type: 'code',
    id: `cell-${i}`,
    metadata: { tags: ['x'] },
    source: `df_${i} = load("ghp_short_${i}")\nplot(df_${i})`,
    outputs: [
      { output_type: 'display_data', data: { 'image/png': b64, 'text/plain': '<Figure>' }, metadata: {} },
      { output_type: 'stream', name: 'stdout', text: 'row,value\n'.repeat(200) }
    ]
  }));
  const state: Record<string, unknown> = {};
  for (let i = 0; i < 400; i++) {
    state[i.toString(16).padStart(32, '0')] = {
      model_name: 'PasswordModel',
      state: { value: i === 399 ? widgetToken : '', description: 'GitHub token' }
    };
  }
  return {
    cells,
    metadata: { widgets: { 'application/vnd.jupyter.widget-state+json': { state } } },
    nbformat: 4,
    nbformat_minor: 5
  };
}

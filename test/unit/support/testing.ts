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

import * as fs from 'fs';
import * as path from 'path';

import {
  containsToken,
  findTokens,
  findTokenValues,
  ILeak,
  REDACTED_TOKEN_TEXT,
  redactTokens,
  redactValue,
  scanNotebook,
  scrubTokens,
  scrubWidgetState,
  valueContainsToken
} from '../../../src/token/scan';
import { largeNotebook, timed } from '../support/testing';

// Clearly fake tokens (no valid checksum needed).
const T = 'ghp_' + 'A'.repeat(36);
const T2 = 'gho_' + '0123456789'.repeat(3) + 'abcdef';
const T3 = 'ghs_' + 'Z'.repeat(40);
const PAT = 'github_pat_' + 'B'.repeat(22) + '_' + 'c'.repeat(59);
const PREFIXES = ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'];
const R = REDACTED_TOKEN_TEXT;

/** Tokens found in `text`, as strings. */
const tokensIn = (text: string): string[] => findTokens(text).map(m => m.token);

describe('fixtures', () => {
  it('have the expected lengths', () => {
    expect(T).toHaveLength(40);
    expect(T2).toHaveLength(40);
    expect(PAT).toHaveLength(93);
  });
});

describe('findTokens', () => {
  it.each(PREFIXES)('finds %s tokens with their position', prefix => {
    const token = prefix + 'a1B2'.repeat(9);
    const text = `before ${token} after`;
    expect(findTokens(text)).toEqual([{ token, start: 7, end: 7 + token.length }]);
  });

  it('finds fine-grained tokens, underscores included', () => {
    expect(findTokens(`x=${PAT};`)).toEqual([{ token: PAT, start: 2, end: 95 }]);
    const shortest = 'github_pat_' + 'a'.repeat(22);
    expect(tokensIn(`"${shortest}"`)).toEqual([shortest]);
    expect(tokensIn('github_pat_' + 'a'.repeat(21))).toEqual([]);
    expect(tokensIn('github_pat_' + '_'.repeat(22))).toEqual(['github_pat_' + '_'.repeat(22)]);
  });

  it('needs at least 36 letters or digits after a gh prefix', () => {
    expect(tokensIn('ghp_' + 'A'.repeat(35))).toEqual([]);
    expect(tokensIn('ghp_' + 'A'.repeat(36))).toEqual([T]);
    expect(tokensIn('ghp_' + 'A'.repeat(50))).toEqual(['ghp_' + 'A'.repeat(50)]);
  });

  it('finds nothing in near misses', () => {
    for (const text of [
      'ghp_short',
      'ghp_',
      'gh_' + 'A'.repeat(40),
      'ghx_' + 'A'.repeat(36),
      'GHP_' + 'A'.repeat(36),
      'Github_pat_' + 'A'.repeat(30),
      'ghp-' + 'A'.repeat(36),
      'ghp_' + 'A'.repeat(20) + '-' + 'A'.repeat(20),
      '',
      'no tokens here'
    ]) {
      expect(tokensIn(text)).toEqual([]);
    }
  });

  it('does not match a checksum-invalid token inside a longer word', () => {
    expect(tokensIn('x' + T)).toEqual([]);
    expect(tokensIn('_' + T)).toEqual([]);
    expect(tokensIn('9' + T)).toEqual([]);
    expect(tokensIn('aghp_' + 'A'.repeat(36))).toEqual([]);
    // Without a valid checksum, a following `_x` spoils it.
    expect(tokensIn(T + '_x')).toEqual([]);
  });

  it('finds a fine-grained token of the exact shape inside a longer word', () => {
    expect(findTokens('x' + PAT + 'y')).toEqual([{ token: PAT, start: 1, end: 94 }]);
  });

  it('takes the whole run of allowed characters', () => {
    expect(tokensIn(T + 'BBB')).toEqual([T + 'BBB']);
    expect(tokensIn(PAT + '_more')).toEqual([PAT + '_more']);
  });

  it('finds tokens bounded by punctuation, whitespace and non-ASCII', () => {
    for (const [before, after] of [
      [':', '@'],
      ['"', '"'],
      ["'", "'"],
      ['/', '/'],
      ['=', '&'],
      ['\n', '\r\n'],
      ['\t', ' '],
      ['(', ')'],
      ['é', 'é'],
      ['-', '.']
    ]) {
      expect(findTokens(`a${before}${T}${after}b`)).toEqual([
        { token: T, start: 1 + before.length, end: 1 + before.length + 40 }
      ]);
    }
  });

  it('finds tokens at the start and the end of the text', () => {
    expect(findTokens(T)).toEqual([{ token: T, start: 0, end: 40 }]);
    expect(findTokens(`${T} x ${T2}`)).toEqual([
      { token: T, start: 0, end: 40 },
      { token: T2, start: 43, end: 83 }
    ]);
  });

  it('finds adjacent tokens separated by one character, in order', () => {
    expect(tokensIn(`${T},${T2}\n${PAT} ${T3}`)).toEqual([T, T2, PAT, T3]);
    expect(tokensIn(`${T}${T}`)).toEqual([]); // one word, body with "_": not a token
    // Two fine-grained tokens written together are one (still found) word.
    expect(tokensIn(PAT + PAT)).toEqual([PAT + PAT]);
    expect(tokensIn(`${T} ${T}`)).toEqual([T, T]);
  });

  it('accepts at most 255 characters', () => {
    const longest = 'github_pat_' + 'a'.repeat(244);
    expect(longest).toHaveLength(255);
    expect(tokensIn(` ${longest} `)).toEqual([longest]);
    expect(tokensIn(` ${longest}a `)).toEqual([]);
    expect(tokensIn('ghp_' + 'A'.repeat(251))).toEqual(['ghp_' + 'A'.repeat(251)]);
    expect(tokensIn('ghp_' + 'A'.repeat(252))).toEqual([]);
  });

  it('gives no position to a token right after an escape letter', () => {
    // `\n` + token reads as the word `nghp_...`: only the decoded text holds
    // it (findTokenValues).
    expect(tokensIn('"line\\n' + T + '"')).toEqual([]);
    expect(findTokenValues('"line\\n' + T + '"')).toEqual([T]);
    expect(tokensIn('"line\\\\' + T + '"')).toEqual([T]);
  });

  it('returns [] for non-strings', () => {
    expect(findTokens(undefined as unknown as string)).toEqual([]);
    expect(findTokens(42 as unknown as string)).toEqual([]);
  });

  it('runs in linear time on 1 MB inputs', () => {
    const size = 1 << 20;
    const inputs: Array<[string, number]> = [
      ['ghp_' + 'A'.repeat(size), 0],
      ['A'.repeat(size), 0],
      ['ghp_'.repeat(size / 4), 0],
      ['g'.repeat(size), 0],
      ['_'.repeat(size), 0],
      [('ghp_' + 'A'.repeat(35) + ' ').repeat(size / 40), 0],
      [(T + ' ').repeat(Math.floor(size / 41)), Math.floor(size / 41)],
      [('github_pat_' + 'a'.repeat(30) + '-').repeat(24966), 24966]
    ];
    for (const [text, expected] of inputs) {
      let count = -1;
      expect(timed(() => (count = findTokens(text).length))).toBeLessThan(2000);
      expect(count).toBe(expected);
      expect(containsToken(text)).toBe(expected > 0);
    }
  });
});

describe('shared detection cases', () => {
  // The same file is read by test/python/test_save_guard.py: the server's
  // pre-save hook must find exactly the tokens the page finds.
  const cases: Array<{ why: string; text: string; tokens: string[] }> = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', '..', 'corpus', 'token-cases.json'), 'utf-8')
  ).cases;

  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it.each(cases.map(c => [c.why, c] as const))('%s', (_why, c) => {
    expect(findTokenValues(c.text)).toEqual(c.tokens);
    // Tokens with a position come first, and scrubbing leaves none.
    expect(c.tokens.slice(0, findTokens(c.text).length)).toEqual(tokensIn(c.text));
    const scrubbed = scrubTokens(c.text);
    expect(scrubbed.removed).toBe(c.tokens.length);
    expect(findTokenValues(scrubbed.text)).toEqual([]);
  });
});

describe('containsToken', () => {
  it('agrees with findTokens', () => {
    for (const text of [T, `x ${PAT}`, `${T3}!`, 'ghp_short', 'x' + T, '', 'plain text', T + '_']) {
      expect(containsToken(text)).toBe(findTokens(text).length > 0);
    }
    expect(containsToken(`a ${T2} b`)).toBe(true);
    expect(containsToken('a b')).toBe(false);
  });

  it('is false for non-strings', () => {
    expect(containsToken(null as unknown as string)).toBe(false);
  });
});

describe('redactTokens', () => {
  it('replaces every token and counts them', () => {
    expect(redactTokens(`url https://x:${T}@github.com and ${PAT}.`)).toEqual({
      text: `url https://x:${R}@github.com and ${R}.`,
      redacted: 2
    });
    expect(redactTokens(`${T}\n${T}`)).toEqual({ text: `${R}\n${R}`, redacted: 2 });
    expect(REDACTED_TOKEN_TEXT).toBe('<GitHub token removed>');
  });

  it('returns the same text when there is nothing to redact', () => {
    const text = 'ghp_short and x' + T;
    expect(redactTokens(text)).toEqual({ text, redacted: 0 });
  });
});

/** A notebook with a token in every place. */
function leakyNotebook(): Record<string, unknown> {
  return {
    cells: [
      {
        cell_type: 'markdown',
        id: 'md-1',
        metadata: {},
        source: ['# Title\n', `Token: ${T}\n`]
      },
      {
        cell_type: 'code',
        id: 'code-1',
        execution_count: 1,
        metadata: { tags: ['x'], note: { deep: [`${T2}`] } },
        source: `token = "${T}"\nprint(token)`,
        outputs: [
          { output_type: 'stream', name: 'stdout', text: [`${T}\n`, 'done\n'] },
          {
            output_type: 'execute_result',
            execution_count: 1,
            metadata: {},
            data: {
              'text/plain': [`'${T3}'`],
              'application/json': { nested: { list: [1, true, null, `x ${PAT}`] } },
              'text/html': [`<b>${T3}</b>`]
            }
          },
          {
            output_type: 'error',
            ename: `Error${T}`, // not a token: preceded by a letter
            evalue: `bad credentials ${T2}`,
            traceback: ['Traceback', `  File "x", line 1, in ${T}`]
          }
        ]
      },
      {
        cell_type: 'raw',
        metadata: {},
        source: 'nothing here',
        attachments: { 'a.png': { 'image/png': `iVBOR ${T} xyz` } }
      }
    ],
    metadata: {
      kernelspec: { name: 'python3', display_name: `Python ${PAT}` },
      widgets: {
        'application/vnd.jupyter.widget-state+json': {
          state: {
            abc: { model_name: 'PasswordModel', state: { value: T, description: 'Token' } }
          },
          version_major: 2,
          version_minor: 0
        }
      },
      extra: T
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

describe('scanNotebook', () => {
  it('reports every place, in document order', () => {
    const leaks = scanNotebook(leakyNotebook());
    const md = { cellIndex: 0, cellId: 'md-1', cellType: 'markdown' };
    const code = { cellIndex: 1, cellId: 'code-1', cellType: 'code' };
    const raw = { cellIndex: 2, cellType: 'raw' };
    expect(leaks).toEqual<ILeak[]>([
      { place: 'source', ...md, token: T },
      { place: 'source', ...code, token: T },
      { place: 'outputs', ...code, token: T },
      { place: 'outputs', ...code, token: T3 },
      { place: 'outputs', ...code, token: PAT },
      { place: 'outputs', ...code, token: T2 },
      { place: 'cell-metadata', ...code, token: T2 },
      { place: 'attachments', ...raw, token: T },
      { place: 'notebook-metadata', cellIndex: null, token: PAT },
      { place: 'widget-state', cellIndex: null, token: T },
      { place: 'notebook-metadata', cellIndex: null, token: T }
    ]);
    expect(leaks[7]).not.toHaveProperty('cellId');
    expect(leaks[8]).not.toHaveProperty('cellType');
  });

  it('finds tokens in every kind of output', () => {
    const outputs = [
      { output_type: 'stream', name: 'stderr', text: `warn ${T}` },
      { output_type: 'display_data', metadata: {}, data: { 'image/svg+xml': `<svg>${T2}</svg>` } },
      { output_type: 'display_data', metadata: { 'x-meta': T3 }, data: {} },
      { output_type: 'execute_result', data: { 'application/vnd.custom+json': { [PAT]: 1 } } },
      { output_type: 'error', ename: T, evalue: '', traceback: [] }
    ];
    const leaks = scanNotebook({ cells: [{ cell_type: 'code', source: '', outputs }] });
    expect(leaks.map(leak => [leak.place, leak.token])).toEqual([
      ['outputs', T],
      ['outputs', T2],
      ['outputs', T3],
      ['outputs', PAT]
    ]);
  });

  it('deduplicates per place and cell, not across them', () => {
    const notebook = {
      cells: [
        { cell_type: 'code', source: [`a = "${T}"\n`, `b = "${T}"`], outputs: [{ text: T }, { text: T }] },
        { cell_type: 'code', source: T }
      ],
      metadata: { a: T, b: [T, T] }
    };
    expect(scanNotebook(notebook).map(leak => [leak.place, leak.cellIndex])).toEqual([
      ['source', 0],
      ['outputs', 0],
      ['source', 1],
      ['notebook-metadata', null]
    ]);
  });

  it('finds a token split across the lines of a multi-line string', () => {
    const notebook = { cells: [{ cell_type: 'code', source: ['x = "ghp_', 'A'.repeat(36) + '"'] }] };
    expect(scanNotebook(notebook)).toEqual([{ place: 'source', cellIndex: 0, cellType: 'code', token: T }]);
  });

  it('finds tokens in object keys', () => {
    const notebook = { cells: [{ cell_type: 'code', source: '', metadata: { [T]: 'x' } }] };
    expect(scanNotebook(notebook).map(leak => leak.place)).toEqual(['cell-metadata']);
  });

  it('never throws on malformed input', () => {
    const cyclic: Record<string, unknown> = { cell_type: 'code', source: T };
    cyclic.metadata = cyclic;
    let deep: unknown = T2;
    for (let i = 0; i < 100000; i++) {
      deep = [deep];
    }
    const throwing = {
      cells: [{ cell_type: 'code', source: T }],
      get metadata(): unknown {
        throw new Error('boom');
      }
    };
    for (const content of [
      null,
      undefined,
      42,
      T,
      [T],
      {},
      { cells: null },
      { cells: 'x' },
      { cells: [null, 1, { source: 5 }, { source: [1, null, {}] }], metadata: null },
      { cells: [cyclic] },
      { cells: [], metadata: { deep } },
      throwing
    ]) {
      expect(() => scanNotebook(content)).not.toThrow();
    }
    expect(scanNotebook(T)).toEqual([]);
    // The cycle leads back to the source from the cell's metadata.
    expect(scanNotebook({ cells: [cyclic] })).toEqual([
      { place: 'source', cellIndex: 0, cellType: 'code', token: T },
      { place: 'cell-metadata', cellIndex: 0, cellType: 'code', token: T }
    ]);
    expect(scanNotebook({ cells: [], metadata: { deep } })).toEqual([
      { place: 'notebook-metadata', cellIndex: null, token: T2 }
    ]);
    // What was found before the error is kept.
    expect(scanNotebook(throwing).map(leak => leak.token)).toEqual([T]);
  });

  it('scans malformed cells and cell lists instead of skipping them', () => {
    expect(scanNotebook({ cells: [`x ${T}`, { source: { odd: T2 } }] })).toEqual([
      { place: 'source', cellIndex: 0, token: T },
      { place: 'source', cellIndex: 1, token: T2 }
    ]);
    expect(scanNotebook({ cells: { a: T } })).toEqual([{ place: 'notebook-metadata', cellIndex: null, token: T }]);
  });

  it('scans a 20 MB notebook with image outputs and widget state within a save', () => {
    const notebook = largeNotebook(400, T);
    const bytes = JSON.stringify(notebook).length;
    expect(bytes).toBeGreaterThan(20 * 1000 * 1000);
    let leaks: ILeak[] = [];
    const scanMs = timed(() => (leaks = scanNotebook(notebook)));
    let scrubbed = 0;
    const scrubMs = timed(() => (scrubbed = scrubWidgetState(notebook).removed));
    expect(leaks).toEqual([{ place: 'widget-state', cellIndex: null, token: T }]);
    expect(scrubbed).toBe(1);
    // Measured on the 2-core development machine: see the closing note.
    process.stdout.write(
      `scanNotebook: ${(bytes / 1e6).toFixed(1)} MB in ${scanMs} ms; scrubWidgetState ${scrubMs} ms\n`
    );
    expect(scanMs).toBeLessThan(3000);
    expect(scrubMs).toBeLessThan(3000);
  });

  it('reports nothing for a clean notebook', () => {
    const clean = { cells: [{ cell_type: 'code', source: 'ghp_short', outputs: [] }], metadata: {} };
    expect(scanNotebook(clean)).toEqual([]);
  });
});

describe('scrubWidgetState', () => {
  it('removes tokens from the saved widget state only, in a copy', () => {
    const notebook = leakyNotebook();
    const widgets = (notebook.metadata as Record<string, unknown>).widgets as Record<string, any>;
    const state = widgets['application/vnd.jupyter.widget-state+json'].state;
    state.abc.state.placeholder = `paste ${T2} here ${T3}`;
    state.list = { items: [T, 'ok', 3] };
    const before = JSON.parse(JSON.stringify(notebook));

    const result = scrubWidgetState(notebook);

    expect(result.removed).toBe(4);
    expect(notebook).toEqual(before); // input unchanged
    expect(result.content).not.toBe(notebook);
    const copy = result.content as any;
    const copyState = copy.metadata.widgets['application/vnd.jupyter.widget-state+json'].state;
    expect(copyState.abc.state).toEqual({
      value: '',
      description: 'Token',
      placeholder: 'paste  here '
    });
    expect(copyState.list).toEqual({ items: ['', 'ok', 3] });
    // Everything else is equal, but a copy.
    expect(copy.cells).toEqual(before.cells);
    expect(copy.cells).not.toBe(notebook.cells);
    expect(copy.metadata.extra).toBe(T);
    copy.cells[0].source.push('changed');
    expect((notebook.cells as any)[0].source).toHaveLength(2);
    expect(scanNotebook(copy).filter(leak => leak.place === 'widget-state')).toEqual([]);
    expect(scanNotebook(copy).filter(leak => leak.place !== 'widget-state')).toEqual(
      scanNotebook(notebook).filter(leak => leak.place !== 'widget-state')
    );
  });

  it('scrubs tokens in keys too', () => {
    const notebook = { cells: [], metadata: { widgets: { [`k${'_'}${T}`]: 1, [T]: 2 } } };
    const result = scrubWidgetState(notebook);
    // `k_ghp...` is one word (not a token); the bare token key is scrubbed.
    expect(result).toEqual({
      content: { cells: [], metadata: { widgets: { [`k_${T}`]: 1, '': 2 } } },
      removed: 1
    });
  });

  it('keeps a __proto__ key as data', () => {
    const notebook = JSON.parse(`{"metadata": {"widgets": {"__proto__": {"value": "${T}"}}}}`);
    const result = scrubWidgetState(notebook);
    expect(result.removed).toBe(1);
    const widgets = (result.content as any).metadata.widgets;
    expect(Object.keys(widgets)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(widgets)).toBe(Object.prototype);
    expect(widgets['__proto__']).toEqual({ value: '' });
  });

  it('returns the same object when there is nothing to remove', () => {
    const clean = { cells: [{ source: T }], metadata: { widgets: { state: { value: 'ghp_short' } } } };
    expect(scrubWidgetState(clean).content).toBe(clean);
    expect(scrubWidgetState(clean).removed).toBe(0);
    const noWidgets = { cells: [], metadata: { extra: T } };
    expect(scrubWidgetState(noWidgets)).toEqual({ content: noWidgets, removed: 0 });
    expect(scrubWidgetState(noWidgets).content).toBe(noWidgets);
  });

  it('never throws on malformed input', () => {
    for (const content of [null, undefined, 7, T, [], { metadata: null }, { metadata: { widgets: T } }]) {
      expect(() => scrubWidgetState(content)).not.toThrow();
    }
    expect(scrubWidgetState(T)).toEqual({ content: T, removed: 0 });
    const stringWidgets = { metadata: { widgets: T } };
    expect(scrubWidgetState(stringWidgets)).toEqual({ content: { metadata: { widgets: '' } }, removed: 1 });
    const cyclic: Record<string, unknown> = { value: T };
    cyclic.self = cyclic;
    const result = scrubWidgetState({ metadata: { widgets: cyclic } });
    const copy = (result.content as any).metadata.widgets;
    expect(result.removed).toBe(1);
    expect(copy.value).toBe('');
    expect(copy.self).toBe(copy);
    expect(cyclic.value).toBe(T);
  });
});

describe('valueContainsToken / redactValue', () => {
  it('finds a token at the start of a line inside a JSON string (where JSON.stringify would hide it behind \\n)', () => {
    const outputs = [{ output_type: 'stream', name: 'stdout', text: `token:\n${T}\n` }];
    expect(valueContainsToken(outputs)).toBe(true);
    expect(valueContainsToken([{ text: 'nothing here' }])).toBe(false);
  });

  it('redacts a copy, leaving the original and clean values alone', () => {
    const value = { a: [`x ${T}`], b: 1 };
    const redacted = redactValue(value);
    expect(redacted).toEqual({ a: [`x ${REDACTED_TOKEN_TEXT}`], b: 1 });
    expect(value.a[0]).toBe(`x ${T}`);
    const clean = { a: 'b' };
    expect(redactValue(clean)).toBe(clean);
  });
});

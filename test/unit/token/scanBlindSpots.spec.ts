/**
 * The leak guard's former blind spots (issue 9): tokens glued to their
 * neighbours, escaped, in base64, split across literals or cells; in
 * notebooks as the page saves them, in linear time.
 */
import { crc32, toBase62 } from '../../../src/token/checksum';
import {
  containsToken,
  containsTokenValue,
  decodeEscapes,
  findSplitTokensAcross,
  findTokens,
  findTokenValues,
  ILeak,
  REDACTED_TOKEN_TEXT,
  redactValue,
  scanNotebook,
  scrubTokens,
  scrubWidgetState,
  valueContainsToken
} from '../../../src/token/scan';
import { timed } from '../support/testing';

/** A fake token with a valid checksum (30 characters from `seed`). */
function makeToken(seed: string, prefix = 'ghp_'): string {
  const payload = (seed + 'x'.repeat(30)).replace(/[^A-Za-z0-9]/g, '0').slice(0, 30);
  return prefix + payload + toBase62(crc32(payload), 6);
}

const A = makeToken('BlindSpotA');
const B = makeToken('BlindSpotB', 'gho_');
const PAT = 'github_pat_' + 'B'.repeat(22) + '_' + 'c'.repeat(59);
/** A as a mistyped copy: same shape, checksum broken. */
const BAD = A.slice(0, -1) + (A.endsWith('x') ? 'y' : 'x');
const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');

describe('tokens glued to their neighbours', () => {
  it('finds a checksum-valid token wherever it starts, with its position', () => {
    expect(findTokens(`\u001b[1m${A}\u001b[0m`)).toEqual([{ token: A, start: 4, end: 44 }]);
    expect(findTokens(`token%20${A}`)).toEqual([{ token: A, start: 8, end: 48 }]);
    expect(findTokens(`${A}_x`)).toEqual([{ token: A, start: 0, end: 40 }]);
    expect(findTokens(`b'FOO=1\\n${A}'`).map(m => m.token)).toEqual([A]);
    expect(containsToken(`x${B}y`)).toBe(true);
  });

  it('does not find a checksum-invalid one', () => {
    expect(findTokenValues(`x${BAD}`)).toEqual([]);
    expect(findTokenValues(`${BAD}_x`)).toEqual([]);
    expect(containsToken(`x${BAD}`)).toBe(false);
  });

  it('still takes a whole word that is a longer token, not the 36 characters inside it', () => {
    expect(findTokens(` ${A}BCD `).map(m => m.token)).toEqual([`${A}BCD`]);
  });
});

describe('decodeEscapes', () => {
  it('undoes backslash and percent escapes and removes ANSI sequences', () => {
    expect(decodeEscapes('a\\nb\\x41\\u0042\\101\\"\\\\n')).toBe('a\nbABA"\\n');
    expect(decodeEscapes('\u001b[1;31mred\u001b[0m \u001b]x')).toBe('red x');
    expect(decodeEscapes('%3A%22%zz%4')).toBe(':"%zz%4');
    const plain = 'no escapes here';
    expect(decodeEscapes(plain)).toBe(plain);
  });

  it('lets the whole-word rule see a token without checksum after an escape', () => {
    const long = 'ghs_' + 'Z'.repeat(40);
    expect(findTokens(`echo -e "\\n${long}"`)).toEqual([]);
    expect(findTokenValues(`echo -e "\\n${long}"`)).toEqual([long]);
    expect(findTokenValues(`Token:\u001b[1m${long}`)).toEqual([long]);
    expect(findTokenValues(`a=1%26t%3D${long}`)).toEqual([long]);
  });
});

describe('base64', () => {
  it('finds a token in each alignment, and in base64url', () => {
    expect(findTokenValues(`Authorization: Basic ${b64('x-access-token:' + A)}`)).toEqual([A]);
    for (const before of ['', 'a', 'ab', 'abc']) {
      expect(findTokenValues(`"${b64(before + B + '!')}"`)).toEqual([B]);
    }
    const url = Buffer.from(`{"t":"${PAT}"}`).toString('base64url');
    expect(findTokenValues(`?state=${url}`)).toEqual([PAT]);
  });

  it('finds nothing in random base64 or base64 of a mistyped token', () => {
    let seed = 7;
    const bytes = Buffer.alloc(300000);
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      bytes[i] = seed >> 16;
    }
    expect(findTokenValues(bytes.toString('base64'))).toEqual([]);
    expect(findTokenValues(b64('x:' + 'x' + BAD))).toEqual([]);
  });
});

describe('split tokens', () => {
  it('joins two literals (adjacent, +, f-string on the next line), the checksum deciding', () => {
    expect(findTokenValues(`t = "${A.slice(0, 12)}" "${A.slice(12)}"`)).toEqual([A]);
    expect(findTokenValues(`t = "${A.slice(0, 4)}" + "${A.slice(4)}"`)).toEqual([A]);
    expect(findTokenValues(`t = ("${A.slice(0, 30)}"\n     f"${A.slice(30)}")`)).toEqual([A]);
    expect(findTokenValues(`t = "${BAD.slice(0, 12)}" "${BAD.slice(12)}"`)).toEqual([]);
    // No position: replacing by position cannot splice it out.
    expect(findTokens(`t = "${A.slice(0, 12)}" "${A.slice(12)}"`)).toEqual([]);
  });

  it('joins the end of one cell with the start of the next', () => {
    expect(findSplitTokensAcross(`x = 1\na = "${A.slice(0, 20)}"\n`, `b = "${A.slice(20)}"\nprint(a + b)`)).toEqual([
      A
    ]);
    expect(findSplitTokensAcross(`a = "${A.slice(0, 20)}"`, `# nothing\nb = 2`)).toEqual([]);
  });
});

describe('scrubTokens', () => {
  it('splices tokens with a position, and empties a text that hides one', () => {
    expect(scrubTokens(`a ${A} b`)).toEqual({ text: 'a  b', removed: 1 });
    expect(scrubTokens(`Basic ${b64('x:' + A)}`)).toEqual({ text: '', removed: 1 });
    expect(scrubTokens('clean')).toEqual({ text: 'clean', removed: 0 });
  });
});

/** A notebook whose outputs hold the token in each former blind spot, never in the source. */
function blindSpotNotebook(): Record<string, unknown> {
  const stream = (text: string): unknown => ({ output_type: 'stream', name: 'stdout', text: [text] });
  const cell = (index: number, text: string): unknown => ({
    cell_type: 'code',
    id: `c${index}`,
    metadata: {},
    execution_count: index + 1,
    source: `t = os.environ["GITHUB_TOKEN"]\nprint(${index})`,
    outputs: [stream(text)]
  });
  return {
    cells: [
      cell(0, `\u001b[1m${A}\u001b[0m\n`),
      cell(1, `token%20${A} %3A${A} %22${A}\n`),
      cell(2, `b'FOO=1\\n${A}'\n`),
      cell(3, `${A}_x\n`),
      cell(4, `Authorization: Basic ${b64('x-access-token:' + A)}\n`)
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5
  };
}

describe('scanNotebook: former blind spots', () => {
  it('reports every output holding the token, and no source', () => {
    const code = (cellIndex: number): ILeak => ({
      place: 'outputs',
      cellIndex,
      cellId: `c${cellIndex}`,
      cellType: 'code',
      token: A
    });
    expect(scanNotebook(blindSpotNotebook())).toEqual([0, 1, 2, 3, 4].map(code));
  });

  it('reports a token split across two cells at the first one, whole', () => {
    const notebook = {
      cells: [
        { cell_type: 'code', id: 'a', source: [`a = "${A.slice(0, 25)}"\n`], outputs: [] },
        { cell_type: 'code', id: 'b', source: [`b = "${A.slice(25)}"\n`, 'token = a + b'], outputs: [] }
      ]
    };
    expect(scanNotebook(notebook)).toEqual([
      { place: 'source', cellIndex: 0, cellId: 'a', cellType: 'code', token: A }
    ]);
  });

  it('searches image data as it is, without decoding it', () => {
    const image = b64('\x89PNG' + A);
    const notebook = (data: Record<string, unknown>): unknown => ({
      cells: [{ cell_type: 'code', source: '', outputs: [{ output_type: 'display_data', data, metadata: {} }] }]
    });
    expect(scanNotebook(notebook({ 'image/png': image }))).toEqual([]);
    expect(scanNotebook(notebook({ 'image/png': `iVBOR${A}` })).map(leak => leak.token)).toEqual([A]);
    expect(scanNotebook(notebook({ 'application/pdf': image })).map(leak => leak.token)).toEqual([A]);
    expect(scanNotebook(notebook({ 'image/svg+xml': `<a href="?t%3D${A}"/>` })).map(leak => leak.token)).toEqual([A]);
  });
});

describe('values: former blind spots', () => {
  it('valueContainsToken and redactValue see hidden tokens; containsToken only positioned ones', () => {
    const outputs = [{ output_type: 'stream', name: 'stdout', text: [`Basic ${b64('x:' + A)}`, `\n${A}_x`] }];
    expect(valueContainsToken(outputs)).toBe(true);
    expect(redactValue(outputs)).toEqual([
      { output_type: 'stream', name: 'stdout', text: [REDACTED_TOKEN_TEXT, `\n${REDACTED_TOKEN_TEXT}_x`] }
    ]);
    expect(containsToken(`Basic ${b64('x:' + A)}`)).toBe(false);
    expect(containsTokenValue(`Basic ${b64('x:' + A)}`)).toBe(true);
    // Image data is not decoded.
    expect(valueContainsToken({ 'image/png': b64('x:' + A) })).toBe(false);
  });
});

describe('scrubWidgetState: former blind spots', () => {
  it('removes escaped and base64 tokens from the saved widget state', () => {
    const content = {
      cells: [],
      metadata: {
        widgets: {
          state: {
            m1: { state: { value: `${A}_x`, log: `Basic ${b64('x:' + A)}`, label: 'GitHub token' } }
          }
        }
      }
    };
    const result = scrubWidgetState(content);
    expect(result.removed).toBe(2);
    expect((result.content as any).metadata.widgets.state.m1.state).toEqual({
      value: '_x',
      log: '',
      label: 'GitHub token'
    });
    expect(scanNotebook(result.content)).toEqual([]);
  });
});

describe('linear time on adversarial 1 MB inputs', () => {
  const size = 1 << 20;
  const head = A.slice(0, 20);
  it.each([
    ['dense base64 prefix forms', 'Z2hwXdocFnaHBf'.repeat(size / 14)],
    ['split heads', `"${head}" "`.repeat(size / 26)],
    ['split heads without a gap', `${head} `.repeat(size / 21)],
    ['backslashes', '\\n\\x4'.repeat(size / 5)],
    ['unfinished ANSI', '\u001b[' + '0'.repeat(size)],
    ['ANSI codes', '\u001b[1m'.repeat(size / 4)],
    ['percent escapes', '%4g%41'.repeat(size / 6)],
    ['glued candidates', ('x' + 'ghp_' + 'a'.repeat(36)).repeat(size / 41)],
    ['fine-grained shapes', ('xgithub_pat_' + 'a'.repeat(22) + '_' + 'b'.repeat(58) + '-').repeat(size / 94)]
  ])('%s', (_name, text) => {
    let tokens: string[] = [];
    expect(timed(() => (tokens = findTokenValues(text)))).toBeLessThan(2000);
    expect(tokens).toEqual([]);
  });
});

/**
 * The disk audit's scanner (test/support/diskScan.ts): each encoding it claims to
 * cover is found in a file, a clean file is not, and the walk counts what it read.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ISecret,
  PIECE_LENGTH,
  areaOf,
  describeHits,
  jsonPathsHolding,
  scanFolder,
  secretNeedles
} from '../../support/diskScan';
import fakeTokens from '../../fake_github/tokens.json';

const TOKEN = fakeTokens.tokens.classicRepo.token;
const OTHER = fakeTokens.tokens.classicReadOnly.token;
// Not a token: its base64 has '+' and '/', so base64url differs (a token's never does).
const WIDE = 'ghp_' + '~?>'.repeat(13);

const secret = (value: string): ISecret => ({ value, needles: secretNeedles(value) });
const base64At = (value: string, offset: number) => Buffer.from('a'.repeat(offset) + value + '!').toString('base64');
const noise = Buffer.from([0x11, 0x2c, 0x00]);

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-scan-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Write each fixture to its own file, scan, and return the encodings found per file. */
function scanFixtures(fixtures: Record<string, Buffer>, value: string): Record<string, string[]> {
  for (const [name, bytes] of Object.entries(fixtures)) {
    fs.writeFileSync(path.join(dir, name), bytes);
  }
  const scan = scanFolder(dir, { token: secret(value) });
  expect(scan.files).toBe(Object.keys(fixtures).length);
  return Object.fromEntries(scan.hits.map(h => [h.file, h.encodings]));
}

describe('secretNeedles', () => {
  it('has one distinct needle per encoding; a token has no separate base64url', () => {
    const encodings = secretNeedles(TOKEN).map(n => n.encoding);
    expect(encodings).toEqual([
      'ascii/utf-8',
      'utf-16le',
      'utf-16be',
      'hex',
      'HEX',
      'base64 (offset 0)',
      'base64 (offset 1)',
      'base64 (offset 2)',
      'piece 1/3 (ascii)',
      'piece 1/3 (utf-16le)',
      'piece 2/3 (ascii)',
      'piece 2/3 (utf-16le)',
      'piece 3/3 (ascii)',
      'piece 3/3 (utf-16le)'
    ]);
    expect(secretNeedles(WIDE).map(n => n.encoding)).toEqual(
      expect.arrayContaining(['base64url (offset 0)', 'base64url (offset 1)', 'base64url (offset 2)'])
    );
  });

  it('cuts the pieces from the random part, after the prefix', () => {
    const pieces = secretNeedles(TOKEN).filter(n => n.encoding.endsWith('(ascii)'));
    expect(pieces.map(n => n.bytes.toString('latin1'))).toEqual([
      TOKEN.slice(4, 4 + PIECE_LENGTH),
      TOKEN.slice(4 + PIECE_LENGTH, 4 + 2 * PIECE_LENGTH),
      TOKEN.slice(4 + 2 * PIECE_LENGTH, 4 + 3 * PIECE_LENGTH)
    ]);
  });

  it('refuses a secret too short for three pieces', () => {
    expect(() => secretNeedles('ghp_short')).toThrow(/too short/);
  });
});

describe('scanFolder', () => {
  it('finds the token in every encoding', () => {
    const hex = Buffer.from(TOKEN).toString('hex');
    const fixtures: Record<string, Buffer> = {
      'ascii.txt': Buffer.from(`before ${TOKEN} after`),
      'utf16le.bin': Buffer.from(`"${TOKEN}"`, 'utf16le'),
      'utf16be.bin': Buffer.from(`"${TOKEN}"`, 'utf16le').swap16(),
      'hex.txt': Buffer.from(`x${hex}y`),
      'HEX.txt': Buffer.from(`x${hex.toUpperCase()}y`),
      'base64-0.txt': Buffer.from('x' + base64At(TOKEN, 0)),
      'base64-1.txt': Buffer.from('x' + base64At(TOKEN, 1)),
      'base64-2.txt': Buffer.from('x' + base64At(TOKEN, 2))
    };
    for (let i = 0; i < 3; i++) {
      const piece = TOKEN.slice(4 + i * PIECE_LENGTH, 4 + (i + 1) * PIECE_LENGTH);
      fixtures[`piece-${i + 1}.bin`] = Buffer.concat([noise, Buffer.from(piece), noise]);
      fixtures[`piece-${i + 1}-utf16.bin`] = Buffer.concat([noise, Buffer.from(piece, 'utf16le'), noise]);
    }
    const found = scanFixtures(fixtures, TOKEN);
    const expected: Record<string, string> = {
      'ascii.txt': 'ascii/utf-8',
      'utf16le.bin': 'utf-16le',
      'utf16be.bin': 'utf-16be',
      'hex.txt': 'hex',
      'HEX.txt': 'HEX',
      'base64-0.txt': 'base64 (offset 0)',
      'base64-1.txt': 'base64 (offset 1)',
      'base64-2.txt': 'base64 (offset 2)',
      'piece-1.bin': 'piece 1/3 (ascii)',
      'piece-2.bin': 'piece 2/3 (ascii)',
      'piece-3.bin': 'piece 3/3 (ascii)',
      'piece-1-utf16.bin': 'piece 1/3 (utf-16le)',
      'piece-2-utf16.bin': 'piece 2/3 (utf-16le)',
      'piece-3-utf16.bin': 'piece 3/3 (utf-16le)'
    };
    for (const [file, encoding] of Object.entries(expected)) {
      expect({ file, found: found[file] ?? [] }).toEqual({ file, found: expect.arrayContaining([encoding]) });
    }
    // A piece alone is not the whole token.
    expect(found['piece-2.bin']).not.toContain('ascii/utf-8');
  });

  it('finds base64url in its three alignments', () => {
    const url = (offset: number) => base64At(WIDE, offset).replace(/\+/g, '-').replace(/\//g, '_');
    const found = scanFixtures(
      { 'url-0.txt': Buffer.from(url(0)), 'url-1.txt': Buffer.from(url(1)), 'url-2.txt': Buffer.from(url(2)) },
      WIDE
    );
    for (let offset = 0; offset < 3; offset++) {
      expect(found[`url-${offset}.txt`]).toContain(`base64url (offset ${offset})`);
      expect(found[`url-${offset}.txt`]).not.toContain(`base64 (offset ${offset})`);
    }
  });

  it('finds nothing in a clean file, nor another token', () => {
    const found = scanFixtures(
      {
        'clean.txt': Buffer.from('nothing to see here\n'.repeat(100)),
        'other.json': Buffer.from(JSON.stringify({ token: OTHER })),
        'near.txt': Buffer.from(TOKEN.slice(0, 4 + PIECE_LENGTH - 1))
      },
      TOKEN
    );
    expect(found).toEqual({});
  });

  it('walks sub-folders, counts symlinks without following them, sorts files into areas', () => {
    fs.mkdirSync(path.join(dir, 'jupyter', 'notebooks', 'deep'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'logs'));
    fs.writeFileSync(path.join(dir, 'jupyter', 'notebooks', 'deep', 'a.ipynb'), JSON.stringify({ cells: [TOKEN] }));
    fs.writeFileSync(path.join(dir, 'logs', 'server.log'), 'quiet');
    fs.symlinkSync(path.join(dir, 'jupyter', 'notebooks', 'deep', 'a.ipynb'), path.join(dir, 'logs', 'link'));
    const scan = scanFolder(dir, { token: secret(TOKEN) });
    expect(scan.files).toBe(2);
    expect(scan.symlinks).toBe(1);
    expect(scan.unreadable).toEqual([]);
    expect(scan.perArea['notebook root']).toEqual({ files: 1, bytes: JSON.stringify({ cells: [TOKEN] }).length });
    expect(scan.perArea.logs).toEqual({ files: 1, bytes: 5 });
    expect(scan.hits).toEqual([
      {
        file: 'jupyter/notebooks/deep/a.ipynb',
        area: 'notebook root',
        secret: 'token',
        encodings: ['ascii/utf-8', 'piece 1/3 (ascii)', 'piece 2/3 (ascii)', 'piece 3/3 (ascii)'],
        jsonPaths: ['$.cells[0]']
      }
    ]);
    const lines = describeHits(scan.hits);
    expect(lines).toEqual([
      'jupyter/notebooks/deep/a.ipynb [notebook root] token: ascii/utf-8, piece 1/3 (ascii), piece 2/3 (ascii), ' +
        'piece 3/3 (ascii) at $.cells[0]'
    ]);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('areaOf and jsonPathsHolding', () => {
  it('sorts paths into the first matching area', () => {
    expect(areaOf('jupyter/notebooks/x.ipynb')).toBe('notebook root');
    expect(areaOf('jupyter/other/x')).toBe('jupyter (other)');
    expect(areaOf('browser-profile/Default/Local Storage/leveldb/000003.log')).toBe('browser: Local Storage');
    expect(areaOf('browser-profile/Default/Code Cache/js/x')).toBe('browser: caches');
    expect(areaOf('browser-profile/Default/Preferences')).toBe('browser: rest of profile');
    expect(areaOf('elsewhere/x')).toBe('other');
  });

  it('names the JSON paths of the strings holding the secret, never the values', () => {
    const doc = { a: { 'b-c': ['x', `pre ${TOKEN}`] }, d: TOKEN, e: 1 };
    expect(jsonPathsHolding(Buffer.from(JSON.stringify(doc)), TOKEN)).toEqual(['$.a["b-c"][1]', '$.d']);
    expect(jsonPathsHolding(Buffer.from('not json'), TOKEN)).toBeUndefined();
  });
});

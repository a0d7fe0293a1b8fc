/**
 * The disk audit's scanner: every regular file under a folder, searched for a
 * secret as bytes in every encoding a store could use. Shared by the e2e disk
 * audit (test/e2e/audit.spec.ts) and its unit test (test/unit/support/diskScan.spec.ts).
 * Node only; never prints a secret.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TOKEN_POLICY } from '../../src/policy/policy';

export interface INeedle {
  encoding: string;
  bytes: Buffer;
}

/** A secret to look for: its value (for JSON paths) and its byte patterns. */
export interface ISecret {
  value: string;
  needles: INeedle[];
}

/** How long each of the three pieces of a secret's random part is. */
export const PIECE_LENGTH = 12;

/** A known token prefix at the start of a secret (longest first, so `github_pat_` wins). */
const KNOWN_PREFIX = new RegExp(
  `^(?:${[...TOKEN_POLICY.prefixes]
    .map(p => p.prefix)
    .sort((a, b) => b.length - a.length)
    .join('|')})`
);

/**
 * The byte patterns a token can take on disk: UTF-8/ASCII (JSON, SQLite UTF-8, logs,
 * V8 one-byte strings), UTF-16 (SQLite UTF-16, Chromium's two-byte DOM strings), hex,
 * base64/base64url in its three alignments (only the groups that do not depend on
 * the neighbouring bytes), and, for snappy-compressed LevelDB tables where a literal
 * run may be cut, three non-overlapping 12-character pieces of the random part.
 * Percent-encoding is the identity on token characters, so it needs no pattern of its own.
 */
export function secretNeedles(secret: string): INeedle[] {
  const needles: INeedle[] = [];
  const add = (encoding: string, bytes: Buffer) => {
    if (!needles.some(n => n.bytes.equals(bytes))) {
      needles.push({ encoding, bytes });
    }
  };
  const utf16le = Buffer.from(secret, 'utf16le');
  add('ascii/utf-8', Buffer.from(secret, 'utf8'));
  add('utf-16le', utf16le);
  add('utf-16be', Buffer.from(utf16le).swap16());
  add('hex', Buffer.from(Buffer.from(secret, 'utf8').toString('hex'), 'latin1'));
  add('HEX', Buffer.from(Buffer.from(secret, 'utf8').toString('hex').toUpperCase(), 'latin1'));
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.from('\0'.repeat(offset) + secret, 'latin1').toString('base64');
    const stable = encoded.slice(offset === 0 ? 0 : 4, Math.floor((offset + secret.length) / 3) * 4);
    add(`base64 (offset ${offset})`, Buffer.from(stable, 'latin1'));
    add(`base64url (offset ${offset})`, Buffer.from(stable.replace(/\+/g, '-').replace(/\//g, '_'), 'latin1'));
  }
  const random = secret.replace(KNOWN_PREFIX, '');
  if (random.length < 3 * PIECE_LENGTH) {
    throw new Error(`the secret is too short for three ${PIECE_LENGTH}-character pieces`);
  }
  for (let i = 0; i < 3; i++) {
    const piece = random.slice(i * PIECE_LENGTH, (i + 1) * PIECE_LENGTH);
    add(`piece ${i + 1}/3 (ascii)`, Buffer.from(piece, 'latin1'));
    add(`piece ${i + 1}/3 (utf-16le)`, Buffer.from(piece, 'utf16le'));
  }
  return needles;
}

/** Where a file belongs, from its path relative to the audit folder (first match wins). */
export const AREAS: Array<[string, RegExp]> = [
  ['notebook root', /^jupyter\/notebooks\//],
  ['workspaces', /^jupyter\/workspaces\//],
  ['settings', /^jupyter\/settings\//],
  ['ipython', /^jupyter\/ipython\//],
  ['jupyter runtime', /^jupyter\/runtime\//],
  ['jupyter (other)', /^jupyter\//],
  ['jupyter config', /^jupyter-config\//],
  ['jupyter data', /^jupyter-data\//],
  ['server home', /^home\//],
  ['server tmp', /^tmp\//],
  ['browser: Local Storage', /^browser-profile\/(.+\/)?Local Storage\//],
  ['browser: IndexedDB', /^browser-profile\/(.+\/)?IndexedDB\//],
  ['browser: Session Storage', /^browser-profile\/(.+\/)?Session Storage\//],
  ['browser: caches', /^browser-profile\/(.+\/)?[^/]*Cache[^/]*\//],
  ['browser: rest of profile', /^browser-profile\//],
  ['browser: home and tmp', /^browser-(home|tmp)\//],
  ['logs', /^logs\//],
  ['scratch', /^scratch\//]
];

export function areaOf(relative: string): string {
  return AREAS.find(([, pattern]) => pattern.test(relative))?.[0] ?? 'other';
}

export interface IHit {
  file: string;
  area: string;
  secret: string;
  encodings: string[];
  /** For JSON files (notebooks, settings, workspaces): the JSON paths of the strings holding it. */
  jsonPaths?: string[];
}

export interface IScan {
  files: number;
  bytes: number;
  symlinks: number;
  perArea: Record<string, { files: number; bytes: number }>;
  hits: IHit[];
  unreadable: string[];
  seconds: number;
}

/** The JSON paths (never the values) of the strings in a JSON document that contain `secret`. */
export function jsonPathsHolding(content: Buffer, secret: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf-8'));
  } catch {
    return undefined;
  }
  const paths: string[] = [];
  const visit = (v: unknown, at: string) => {
    if (typeof v === 'string') {
      if (v.includes(secret)) {
        paths.push(at);
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${at}[${i}]`));
    } else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        visit(item, /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`);
      }
    }
  };
  visit(value, '$');
  return paths;
}

/**
 * Read every regular file under `root` (symlinks are counted, not followed) and
 * look for each secret's needles. Paths and areas are relative to `base`.
 */
export function scanFolder(root: string, secrets: Record<string, ISecret>, base = root): IScan {
  const started = Date.now();
  const result: IScan = { files: 0, bytes: 0, symlinks: 0, perArea: {}, hits: [], unreadable: [], seconds: 0 };
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(base, full).split(path.sep).join('/');
      if (entry.isSymbolicLink()) {
        result.symlinks++;
      } else if (entry.isDirectory()) {
        walk(full);
      } else if (entry.isFile()) {
        let content: Buffer;
        try {
          content = fs.readFileSync(full);
        } catch {
          result.unreadable.push(relative);
          continue;
        }
        const area = areaOf(relative);
        result.files++;
        result.bytes += content.length;
        const stats = (result.perArea[area] ??= { files: 0, bytes: 0 });
        stats.files++;
        stats.bytes += content.length;
        for (const [secret, { value, needles }] of Object.entries(secrets)) {
          const encodings = needles.filter(n => content.includes(n.bytes)).map(n => n.encoding);
          if (encodings.length) {
            const jsonPaths = encodings.includes('ascii/utf-8') ? jsonPathsHolding(content, value) : undefined;
            result.hits.push({ file: relative, area, secret, encodings, ...(jsonPaths?.length ? { jsonPaths } : {}) });
          }
        }
      }
    }
  };
  walk(root);
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

/** Hits as printable lines: file, area and encodings, never the secret. */
export function describeHits(hits: IHit[]): string[] {
  return hits.map(
    h =>
      `${h.file} [${h.area}] ${h.secret}: ${h.encodings.join(', ')}${h.jsonPaths ? ` at ${h.jsonPaths.join(', ')}` : ''}`
  );
}

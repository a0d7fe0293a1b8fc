/**
 * Finds GitHub tokens in text and notebooks, and removes them: the pure core
 * of the leak guard that runs before every save.
 *
 * - {@link findTokens} / {@link containsToken}: every GitHub token in a text
 *   that has a position there (a whole word, or a checksum-valid / exactly
 *   shaped token wherever it starts), in linear time.
 * - {@link findTokenValues}: those, plus tokens only visible once escapes are
 *   undone, inside base64, or split across two string literals (and
 *   {@link findSplitTokensAcross} for two cells). These have no position:
 *   {@link replaceTokens} and the Python rewrite cannot splice them out;
 *   {@link scrubTokens} empties a text that holds one.
 * - {@link scanNotebook}: every token in an nbformat 4 notebook, with where
 *   it is (source, outputs, attachments, metadata, saved widget state).
 * - {@link scrubWidgetState}: a copy of a notebook without tokens in its
 *   saved ipywidgets state; {@link redactTokens} / {@link redactValue} for
 *   text and JSON values.
 *
 * Loaded at start-up (the guard sees every save), so kept small: rewriting
 * Python source is in src/python/rewrite.ts, loaded when a token is found.
 *
 * Nothing here throws on malformed notebooks, and no message ever contains a
 * token.
 */

import { TOKEN_POLICY, TOKEN_PREFIXES, wholeMatch } from '../policy/policy';
import { bodyChecksumValid } from './checksum';

// ---------------------------------------------------------------------------
// Finding tokens in text
// ---------------------------------------------------------------------------

/** One token found in a text: `text.slice(start, end) === token`. */
export interface ITokenMatch {
  token: string;
  /** Index of the token's first character. */
  start: number;
  /** Index just after the token's last character. */
  end: number;
}

/** What replaces a token that cannot be turned into an environment read. */
export const REDACTED_TOKEN_TEXT = '<GitHub token removed>';

// The shapes below are the policy's (src/policy/policy.json), derived once.

/** `github_pat_`: its length, and the two parts of its body. */
const PAT_PREFIX = TOKEN_POLICY.fineGrained.prefix;
const PAT_FIRST = TOKEN_POLICY.fineGrained.firstPart;
const PAT_SECOND = TOKEN_POLICY.fineGrained.secondPart;
const PAT_LENGTH = PAT_PREFIX.length + PAT_FIRST + 1 + PAT_SECOND;

/** Every prefix (for the base64 search), and the short ones (`ghp_`...), which all have one length. */
const SHORT_PREFIXES = TOKEN_PREFIXES.filter(prefix => prefix !== PAT_PREFIX);
const SHORT_LENGTH = SHORT_PREFIXES[0].length;

/** What every short prefix starts with (`gh`): where a split token's head may be. */
const SHORT_HEAD = SHORT_PREFIXES.reduce((head, prefix) => {
  let n = 0;
  while (n < head.length && head[n] === prefix[n]) {
    n++;
  }
  return head.slice(0, n);
});

/** Body length of short-prefixed tokens (random part + checksum). */
const BODY_LENGTH = TOKEN_POLICY.fixedLength.bodyLength;

/** Short prefix + at least the body length of letters or digits; `github_pat_` + at least its first part. */
const PREFIXED_TOKEN = wholeMatch(`(?:${SHORT_PREFIXES.join('|')})${TOKEN_POLICY.bodyCharset}{${BODY_LENGTH},}`);
const FINE_GRAINED_TOKEN = wholeMatch(`${PAT_PREFIX}${TOKEN_POLICY.charset}{${PAT_FIRST},}`);

/** Shortest possible token, and the longest accepted one. */
const MIN_TOKEN_LENGTH = TOKEN_POLICY.scan.minLength;
const MAX_TOKEN_LENGTH = TOKEN_POLICY.maxLength;

/** How far (characters) and over how many word runs a split token's tail may be. */
const SPLIT_GAP = TOKEN_POLICY.scan.splitGap;
const SPLIT_RUNS = TOKEN_POLICY.scan.splitRuns;

/**
 * Per ASCII code: 1 if in the token charset, 2 if also in the body charset
 * (letters and digits). A table read is as fast as range checks and follows
 * the policy; tokens are ASCII, so any other code is neither.
 */
const WORD = 1;
const ALNUM = 2;
const CHAR_CLASSES: Uint8Array = (() => {
  const table = new Uint8Array(128);
  const word = new RegExp(TOKEN_POLICY.charset);
  const alnum = new RegExp(TOKEN_POLICY.bodyCharset);
  for (let code = 0; code < 128; code++) {
    const char = String.fromCharCode(code);
    table[code] = (word.test(char) ? WORD : 0) | (alnum.test(char) ? ALNUM : 0);
  }
  return table;
})();

/** Per ASCII code: whether some prefix starts with it (a cheap test before comparing prefixes). */
const PREFIX_FIRST: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (const prefix of TOKEN_PREFIXES) {
    table[prefix.charCodeAt(0)] = 1;
  }
  return table;
})();

/** The distinct prefix lengths, each once (for the cursor, which finds a prefix by its last `_`). */
const PREFIX_LENGTHS = [...new Set(TOKEN_PREFIXES.map(prefix => prefix.length))].sort((a, b) => a - b);

/** Whether a character code is in the token charset (`[A-Za-z0-9_]`). */
export function isWordCode(code: number): boolean {
  return ((CHAR_CLASSES[code] ?? 0) & WORD) !== 0;
}

/** Whether a character code is in the token body charset (`[A-Za-z0-9]`). */
function isAlnumCode(code: number): boolean {
  return ((CHAR_CLASSES[code] ?? 0) & ALNUM) !== 0;
}

/** How many of the (at most `max`) characters from `from` are letters or digits. */
function alnumRun(text: string, from: number, max: number): number {
  const end = Math.min(text.length, from + max);
  let i = from;
  while (i < end && isAlnumCode(text.charCodeAt(i))) {
    i++;
  }
  return i - from;
}

/** Whether a short prefix (`ghp_`...) starts at `i`. */
function shortPrefixAt(text: string, i: number): boolean {
  for (const prefix of SHORT_PREFIXES) {
    if (text.startsWith(prefix, i)) {
      return true;
    }
  }
  return false;
}

/** The length of the token prefix at `i`: the short length, the fine-grained one, or 0. */
function prefixLengthAt(text: string, i: number): number {
  if (PREFIX_FIRST[text.charCodeAt(i)] !== 1) {
    return 0;
  }
  if (shortPrefixAt(text, i)) {
    return SHORT_LENGTH;
  }
  return text.startsWith(PAT_PREFIX, i) ? PAT_PREFIX.length : 0;
}

/**
 * A cursor over the places where a token prefix starts. Every prefix ends in
 * `_`, found with the native `indexOf`: one fast pass over text without any
 * (standard base64, such as images, the bulk of a large notebook, has none).
 * `next(from)` is the first prefix starting at or after `from`, or -1;
 * callers never go back, so each `_` is looked at a bounded number of times.
 */
function prefixCursor(text: string): (from: number) => number {
  const shortest = PREFIX_LENGTHS[0];
  return (from: number): number => {
    let p = text.indexOf('_', from + shortest - 1);
    while (p >= 0) {
      for (const length of PREFIX_LENGTHS) {
        const start = p - length + 1;
        if (start >= from && prefixLengthAt(text, start) === length) {
          return start;
        }
      }
      p = text.indexOf('_', p + 1);
    }
    return -1;
  };
}

/**
 * The token that starts at `i` (a prefix of length `prefixLength`), whatever
 * precedes or follows it: a short prefix + the fixed body length of letters or
 * digits whose checksum holds, or `github_pat_` + first part + `_` + second
 * part of letters or digits. `null` if none.
 */
function exactTokenAt(text: string, i: number, prefixLength: number): ITokenMatch | null {
  if (prefixLength === SHORT_LENGTH) {
    const start = i + SHORT_LENGTH;
    if (
      alnumRun(text, start, BODY_LENGTH) === BODY_LENGTH &&
      bodyChecksumValid(text.slice(start, start + BODY_LENGTH))
    ) {
      return { token: text.slice(i, start + BODY_LENGTH), start: i, end: start + BODY_LENGTH };
    }
    return null;
  }
  const first = i + PAT_PREFIX.length;
  if (
    alnumRun(text, first, PAT_FIRST) === PAT_FIRST &&
    text.charCodeAt(first + PAT_FIRST) === 0x5f &&
    alnumRun(text, first + PAT_FIRST + 1, PAT_SECOND) === PAT_SECOND
  ) {
    return { token: text.slice(i, i + PAT_LENGTH), start: i, end: i + PAT_LENGTH };
  }
  return null;
}

/**
 * Call `found` for every token in `text`, in order, until it returns `false`.
 *
 * Every token starts with a prefix ({@link prefixCursor}). At each one:
 * the whole run of `[A-Za-z0-9_]` starting there, when it matches one of the
 * token patterns (today's whole-word rule, which also finds longer tokens);
 * else a token of the exact new format starting there ({@link exactTokenAt}),
 * glued to its neighbours or not. Matches never overlap, and each prefix
 * costs a bounded number of steps: linear time whatever the input.
 */
function eachToken(text: string, found: (match: ITokenMatch) => boolean): void {
  const n = text.length;
  const next = prefixCursor(text);
  let i = next(0);
  while (i >= 0) {
    const prefixLength = prefixLengthAt(text, i);
    let match: ITokenMatch | null = null;
    if (prefixLength > 0) {
      if (i === 0 || !isWordCode(text.charCodeAt(i - 1))) {
        let end = i + prefixLength;
        while (end < n && end - i <= MAX_TOKEN_LENGTH && isWordCode(text.charCodeAt(end))) {
          end++;
        }
        const length = end - i;
        if (length >= MIN_TOKEN_LENGTH && length <= MAX_TOKEN_LENGTH) {
          const word = text.slice(i, end);
          if (PREFIXED_TOKEN.test(word) || FINE_GRAINED_TOKEN.test(word)) {
            match = { token: word, start: i, end };
          }
        }
      }
      match = match ?? exactTokenAt(text, i, prefixLength);
    }
    if (match) {
      if (!found(match)) {
        return;
      }
      i = next(match.end);
    } else {
      i = next(i + 1);
    }
  }
}

/**
 * Every GitHub token in `text`, in order, with its position
 * (`text.slice(start, end) === token`):
 *
 * - a whole run of the token charset (neither preceded nor followed by one)
 *   that is a short prefix (`ghp_`, `ghs_`...) followed by at least the fixed
 *   body length (36) of letters or digits, or `github_pat_` followed by at
 *   least its first part (22) of token characters, at most the maximum length
 *   in all (a longer word never matches in part);
 * - wherever it starts or ends, a short prefix + exactly the body length of
 *   letters or digits whose checksum (the last 6) holds, and `github_pat_` +
 *   first part + `_` + second part of letters or digits (`xghp_...`, `...m` +
 *   token after an ANSI code, token + `_x`).
 *
 * The numbers are the policy's (src/policy/policy.json) today.
 *
 * Tokens only visible once the text is decoded (escapes, base64) or joined
 * (split literals) have no position: see {@link findTokenValues}.
 */
export function findTokens(text: string): ITokenMatch[] {
  const matches: ITokenMatch[] = [];
  if (typeof text === 'string') {
    eachToken(text, match => {
      matches.push(match);
      return true;
    });
  }
  return matches;
}

/** Whether `text` contains a GitHub token that {@link findTokens} finds. */
export function containsToken(text: string): boolean {
  let found = false;
  if (typeof text === 'string') {
    eachToken(text, () => {
      found = true;
      return false;
    });
  }
  return found;
}

/** ANSI escape sequences: CSI (`ESC [ ... final`) and two-character ones. */
// eslint-disable-next-line no-control-regex -- ESC is what starts the sequences removed
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-_])/g;

/** Backslash escapes of Python, JSON and C string literals. */
const BACKSLASH_ESCAPE = /\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|([0-7]{1,3})|([\s\S]))/g;

/** Percent escapes of URLs. */
const PERCENT_ESCAPE = /%([0-9A-Fa-f]{2})/g;

/**
 * `text` as it reads once backslash escapes are undone (`\xHH`, `\uHHHH` and
 * octal to their character, `\` + a letter or digit to a line break, `\` +
 * anything else to that character), ANSI escape sequences are removed and
 * percent escapes are undone, each step only when the text holds `\`, ESC or
 * `%`. The same rules as save_guard.py's `decode_escapes`.
 */
export function decodeEscapes(text: string): string {
  let out = text;
  if (out.includes('\\')) {
    out = out.replace(BACKSLASH_ESCAPE, (_m, hex?: string, uni?: string, oct?: string, char?: string) => {
      if (hex !== undefined || uni !== undefined) {
        return String.fromCharCode(parseInt((hex ?? uni) as string, 16));
      }
      if (oct !== undefined) {
        return String.fromCharCode(parseInt(oct, 8));
      }
      // `\n`, `\t`, `\N{...}`: a separator, whatever the letter means.
      return isWordCode((char as string).charCodeAt(0)) ? '\n' : (char as string);
    });
  }
  if (out.includes('\x1b')) {
    out = out.replace(ANSI_ESCAPE, '');
  }
  if (out.includes('%')) {
    out = out.replace(PERCENT_ESCAPE, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  return out;
}

/** The base64 digits of each 6-bit value (`+/` and base64url's `-_` alike). */
const BASE64_VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < 62; i++) {
    values[alphabet.charCodeAt(i)] = i;
  }
  values[0x2b] = values[0x2d] = 62; // + -
  values[0x2f] = values[0x5f] = 63; // / _
  return values;
})();

/** Standard base64 of latin-1 `bytes` (start-up code: no `btoa` needed in tests). */
function base64Of(bytes: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes.charCodeAt(i);
    const b = i + 1 < bytes.length ? bytes.charCodeAt(i + 1) : 0;
    const c = i + 2 < bytes.length ? bytes.charCodeAt(i + 2) : 0;
    out +=
      alphabet[a >> 2] + alphabet[((a & 3) << 4) | (b >> 4)] + alphabet[((b & 15) << 2) | (c >> 6)] + alphabet[c & 63];
  }
  return out;
}

/**
 * The base64 forms of every prefix in its three alignments (0, 1 or 2 bytes
 * before it in its group of 3): only the digits that depend on the prefix
 * alone, as test/e2e/audit.spec.ts searches a disk. `lead` is how many
 * digits of the prefix's first group precede the form.
 */
const BASE64_FORMS: ReadonlyArray<{ form: string; lead: number }> = (() => {
  const forms = new Map<string, number>();
  for (const prefix of TOKEN_PREFIXES) {
    for (let offset = 0; offset < 3; offset++) {
      const encoded = base64Of('\0'.repeat(offset) + prefix);
      const lead = Math.ceil((8 * offset) / 6);
      const stable = encoded.slice(lead, Math.floor((8 * (offset + prefix.length)) / 6));
      forms.set(stable, lead);
      forms.set(stable.replace(/\+/g, '-').replace(/\//g, '_'), lead);
    }
  }
  return [...forms].map(([form, lead]) => ({ form, lead }));
})();

/** One regular expression for all forms, grouped by their first two digits (faster to search). */
const BASE64_FORM_SEARCH: RegExp = (() => {
  const groups = new Map<string, string[]>();
  for (const { form } of BASE64_FORMS) {
    const head = form.slice(0, 2);
    groups.set(head, [...(groups.get(head) ?? []), form.slice(2)]);
  }
  const escape = (s: string): string => s.replace(/[+/]/g, '\\$&');
  return new RegExp(
    [...groups].map(([head, tails]) => `${escape(head)}(?:${tails.map(escape).join('|')})`).join('|'),
    'g'
  );
})();

/** The first two digits of every form. */
const BASE64_HEADS = [...new Set(BASE64_FORMS.map(({ form }) => form.slice(0, 2)))];

/** Lead of each form, by form. */
const BASE64_LEAD = new Map(BASE64_FORMS.map(({ form, lead }) => [form, lead]));

/** Base64 digits decoded around a prefix form: a group before, and room for the longest token after. */
const BASE64_BEFORE = 4;
const BASE64_AFTER = 4 * Math.ceil((2 + MAX_TOKEN_LENGTH) / 3) + 4;

/**
 * Latin-1 bytes of the base64 digits `text[start, end)`, group by group of
 * 4; a group with anything but base64 digits (and `=` padding at its end)
 * becomes 3 spaces, so a token cannot span it.
 */
function decodeBase64Window(text: string, start: number, end: number): string {
  const groups = Math.max(0, Math.floor((end - start) / 4));
  const bytes = new Uint8Array(3 * groups);
  let o = 0;
  for (let i = start; o < bytes.length; i += 4) {
    const a = BASE64_VALUES[text.charCodeAt(i)] ?? -1;
    const b = BASE64_VALUES[text.charCodeAt(i + 1)] ?? -1;
    const c = BASE64_VALUES[text.charCodeAt(i + 2)] ?? -1;
    const d = BASE64_VALUES[text.charCodeAt(i + 3)] ?? -1;
    if (a < 0 || b < 0) {
      bytes[o] = bytes[o + 1] = bytes[o + 2] = 0x20;
    } else if (c < 0 || d < 0) {
      // The last group: `xx==` is one byte, `xxx=` two.
      const padded = text.charCodeAt(i + 3) === 0x3d;
      const bits = (a << 18) | (b << 12) | (c < 0 ? 0 : c << 6);
      const one = padded && (c >= 0 || text.charCodeAt(i + 2) === 0x3d);
      const two = padded && c >= 0;
      bytes[o] = one ? bits >> 16 : 0x20;
      bytes[o + 1] = two ? (bits >> 8) & 0xff : 0x20;
      bytes[o + 2] = 0x20;
    } else {
      const bits = (a << 18) | (b << 12) | (c << 6) | d;
      bytes[o] = bits >> 16;
      bytes[o + 1] = (bits >> 8) & 0xff;
      bytes[o + 2] = bits & 0xff;
    }
    o += 3;
  }
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    // A typed array is array-like: `apply` takes it as it is.
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return out;
}

/**
 * Tokens inside base64 in `text` (e.g. an `Authorization: Basic` header of
 * `x-access-token:ghp_...`): every base64 form of a prefix is looked up
 * natively; around each hit, the digits from its group on (one group before,
 * enough for the longest token after) are decoded and scanned. Windows of
 * the same alignment that overlap are decoded once, as one: linear time.
 */
function base64TokenValues(text: string, add: (token: string) => void): void {
  // The forms' first two digits, looked up natively first: cheaper than the
  // regular expression on text that has none (most text).
  if (!BASE64_HEADS.some(head => text.includes(head))) {
    return;
  }
  // Per alignment (start mod 4): the window being collected.
  const open: Array<[number, number] | null> = [null, null, null, null];
  const windows: Array<[number, number]> = [];
  BASE64_FORM_SEARCH.lastIndex = 0;
  let hit: RegExpExecArray | null;
  while ((hit = BASE64_FORM_SEARCH.exec(text)) !== null) {
    // Forms may overlap: look again from the next digit.
    BASE64_FORM_SEARCH.lastIndex = hit.index + 1;
    const group = hit.index - (BASE64_LEAD.get(hit[0]) as number);
    if (group < 0) {
      continue;
    }
    const start = group >= BASE64_BEFORE ? group - BASE64_BEFORE : group;
    const end = Math.min(text.length, group + BASE64_AFTER);
    const alignment = group % 4;
    const current = open[alignment];
    if (current && start <= current[1]) {
      current[1] = Math.max(current[1], end);
    } else {
      open[alignment] = [start, end];
      windows.push(open[alignment] as [number, number]);
    }
  }
  // In text order, so the list does not depend on how characters are counted
  // (UTF-16 here, code points in save_guard.py).
  windows.sort((a, b) => a[0] - b[0]);
  for (const [start, end] of windows) {
    for (const { token } of findTokens(decodeBase64Window(text, start, end))) {
      add(token);
    }
  }
}

/**
 * Call `found` with every token split across two string literals in `text`
 * (`"ghp_AAAA" "BBBB..."`, `"ghp_AAAA" + "BBBB..."`), heads only before
 * `headsBefore`: a head `gh?_` + fewer than 36 letters or digits that ends a
 * word run, completed by the first letters or digits of one of the next 3
 * word runs starting within 40 characters, the checksum deciding. Bounded
 * work per prefix: linear.
 */
function eachSplitToken(text: string, found: (token: string) => void, headsBefore = text.length): void {
  let i = text.indexOf(SHORT_HEAD);
  while (i >= 0 && i < headsBefore) {
    if (shortPrefixAt(text, i)) {
      const have = alnumRun(text, i + SHORT_LENGTH, BODY_LENGTH);
      const headEnd = i + SHORT_LENGTH + have;
      if (have < BODY_LENGTH && !isWordCode(text.charCodeAt(headEnd))) {
        const need = BODY_LENGTH - have;
        const limit = Math.min(text.length, headEnd + SPLIT_GAP);
        let runs = 0;
        let j = headEnd;
        while (runs < SPLIT_RUNS && j < limit) {
          if (!isWordCode(text.charCodeAt(j))) {
            j++;
            continue;
          }
          runs++;
          if (alnumRun(text, j, need) === need) {
            const body = text.slice(i + SHORT_LENGTH, headEnd) + text.slice(j, j + need);
            if (bodyChecksumValid(body)) {
              found(text.slice(i, i + SHORT_LENGTH) + body);
              break;
            }
          }
          while (j < text.length && isWordCode(text.charCodeAt(j))) {
            j++;
          }
        }
      }
    }
    i = text.indexOf(SHORT_HEAD, i + 1);
  }
}

/** Options of {@link findTokenValues}. */
export interface IFindOptions {
  /**
   * The text is image data (`image/png`, ... but not SVG), which the scanner
   * only searches as it is: base64 that is an image is no log to decode, and
   * it cannot hold escapes (default `false`).
   */
  image?: boolean;
}

/**
 * Every token `text` holds, as values, in a fixed order: those of
 * {@link findTokens} (in order, repeats kept), then, once each and unless
 * already listed (and not for image data), those only seen after
 * {@link decodeEscapes}, those inside base64, and those split across two
 * string literals. The same list as
 * save_guard.py's `find_tokens` (test/corpus/token-cases.json holds both to it).
 */
export function findTokenValues(text: string, options: IFindOptions = {}): string[] {
  // No token, however encoded or split, fits in fewer characters.
  if (typeof text !== 'string' || text.length < MIN_TOKEN_LENGTH) {
    return [];
  }
  const tokens = findTokens(text).map(match => match.token);
  if (options.image) {
    return tokens;
  }
  const seen = new Set(tokens);
  const add = (token: string): void => {
    if (!seen.has(token)) {
      seen.add(token);
      tokens.push(token);
    }
  };
  const decoded = decodeEscapes(text);
  if (decoded !== text) {
    for (const { token } of findTokens(decoded)) {
      add(token);
    }
  }
  base64TokenValues(text, add);
  eachSplitToken(decoded, add);
  if (decoded !== text) {
    // Decoding can also spoil a head (`C:\ghp_...` reads `C:` + line break + `hp_...`).
    eachSplitToken(text, add);
  }
  return tokens;
}

/**
 * Tokens split across the end of one cell's source (`before`) and the start
 * of the next (`after`), as {@link findTokenValues} finds them inside one text.
 */
export function findSplitTokensAcross(before: string, after: string): string[] {
  const tokens: string[] = [];
  // A head and its tail are at most 36 + 40 characters apart.
  const tail = before.slice(-2 * (BODY_LENGTH + SPLIT_GAP));
  eachSplitToken(`${tail}\n${after.slice(0, 2 * (BODY_LENGTH + SPLIT_GAP))}`, token => tokens.push(token), tail.length);
  return tokens;
}

/**
 * `text` with every token replaced by `<GitHub token removed>`, and how many
 * were replaced. For markdown and raw cells, outputs and other plain text.
 */
export function redactTokens(text: string): { text: string; redacted: number } {
  return replaceTokens(text, () => REDACTED_TOKEN_TEXT);
}

/**
 * `text` with every token found by {@link findTokens} replaced by
 * `replacement(token)`, and how many were replaced. Tokens without a
 * position (escaped, in base64, split across literals or cells) cannot be
 * spliced out this way: see {@link scrubTokens}.
 */
export function replaceTokens(
  text: string,
  replacement: (token: string) => string
): { text: string; redacted: number } {
  const matches = findTokens(text);
  if (matches.length === 0) {
    return { text, redacted: 0 };
  }
  let out = '';
  let pos = 0;
  for (const match of matches) {
    out += text.slice(pos, match.start) + replacement(match.token);
    pos = match.end;
  }
  return { text: out + text.slice(pos), redacted: matches.length };
}

/**
 * `text` without any token of {@link findTokenValues}, and how many it held:
 * the tokens with a position are removed; if any token is left after that
 * (escaped, in base64, split), the whole text becomes `''`. For values that
 * are never meant to be saved (the saved widget state).
 */
export function scrubTokens(text: string, options: IFindOptions = {}): { text: string; removed: number } {
  const tokens = findTokenValues(text, options);
  if (tokens.length === 0) {
    return { text, removed: 0 };
  }
  const spliced = replaceTokens(text, () => '').text;
  return {
    text: findTokenValues(spliced, options).length === 0 ? spliced : '',
    removed: tokens.length
  };
}

// ---------------------------------------------------------------------------
// Notebooks
// ---------------------------------------------------------------------------

/** Where in a notebook a token was found. */
export type LeakPlace = 'source' | 'outputs' | 'attachments' | 'cell-metadata' | 'notebook-metadata' | 'widget-state';

/** A token found in a notebook. */
export interface ILeak {
  place: LeakPlace;
  /** 0-based index of the cell, `null` for notebook-level places. */
  cellIndex: number | null;
  /** The cell's `id`, when it has one. */
  cellId?: string;
  /** The cell's `cell_type`, when it has one. */
  cellType?: string;
  token: string;
}

/** Key of the saved ipywidgets state in the notebook metadata. */
const WIDGETS_KEY = 'widgets';

/** Plain-object check (arrays excluded). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An item of the explicit stack of {@link walkStrings}. */
type WalkItem = { text: string; image: boolean } | { value: unknown; image: boolean };

/**
 * Whether a key names image data (`image/png`, ...): base64 that is an
 * image, not a log; SVG is text.
 */
function isImageKey(key: string): boolean {
  return key.startsWith('image/') && !key.startsWith('image/svg');
}

/**
 * Call `visit` with every string inside `root`, in document order: object
 * keys (before their value), string values, and, for arrays made only of
 * strings (nbformat's multi-line strings), first their concatenation (unless
 * `joinLines` is false), then each element. `image` tells whether the string
 * is under an `image/*` key (see {@link isImageKey}). Iterative (deep nesting
 * cannot overflow the stack), and each object is visited once (cycles are
 * harmless).
 */
function walkStrings(root: unknown, visit: (text: string, image: boolean) => void, joinLines = true): void {
  const stack: WalkItem[] = [{ value: root, image: false }];
  const seen = new WeakSet<object>();
  while (stack.length > 0) {
    const item = stack.pop() as WalkItem;
    if ('text' in item) {
      visit(item.text, item.image);
      continue;
    }
    const { value, image } = item;
    if (typeof value === 'string') {
      visit(value, image);
      continue;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) {
      continue;
    }
    seen.add(value);
    if (Array.isArray(value)) {
      if (joinLines && value.length > 1 && value.every(part => typeof part === 'string')) {
        // A token split across the lines of a multi-line string.
        visit(value.join(''), image);
      }
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], image });
      }
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({
          value: (value as Record<string, unknown>)[keys[i]],
          image: image || isImageKey(keys[i])
        });
        stack.push({ text: keys[i], image });
      }
    }
  }
}

/** A cell's source as one text (`''` when it has none). */
function sourceText(cell: unknown): string {
  const source = isRecord(cell) ? cell.source : cell;
  if (typeof source === 'string') {
    return source;
  }
  return Array.isArray(source) && source.every(part => typeof part === 'string') ? source.join('') : '';
}

/** Where each key of a cell is reported. */
function cellPlace(key: string): LeakPlace {
  switch (key) {
    case 'source':
      return 'source';
    case 'outputs':
      return 'outputs';
    case 'attachments':
      return 'attachments';
    default:
      return 'cell-metadata';
  }
}

/** Cell keys in the order they are scanned; other keys follow. */
const CELL_KEY_ORDER = ['source', 'outputs', 'attachments', 'metadata'];

/** `keys` of `record`, the listed ones first (in the listed order). */
function orderedKeys(record: Record<string, unknown>, first: readonly string[]): string[] {
  const keys = Object.keys(record);
  return [...first.filter(key => keys.includes(key)), ...keys.filter(key => !first.includes(key))];
}

/**
 * Every GitHub token in an nbformat 4 notebook (`{cells, metadata, ...}`),
 * in document order: cell by cell (source, outputs, attachments, then the
 * cell's metadata and any other cell field), then the notebook metadata,
 * where `metadata.widgets` (the saved ipywidgets state) is reported as
 * `widget-state`. Every string is scanned, object keys included, whatever
 * the output or MIME type; a token is reported once per place and cell.
 *
 * Never throws: malformed parts are scanned as well as they can be (a cell
 * that is not an object is scanned as that cell's source, `cells` that is
 * not a list as notebook metadata), and anything but an object yields `[]`.
 */
export function scanNotebook(content: unknown): ILeak[] {
  const leaks: ILeak[] = [];
  const reported = new Set<string>();
  const report = (token: string, place: LeakPlace, cellIndex: number | null, cell?: Record<string, unknown>): void => {
    const key = `${place}\u0000${cellIndex ?? ''}\u0000${token}`;
    if (reported.has(key)) {
      return;
    }
    reported.add(key);
    const leak: ILeak = { place, cellIndex, token };
    if (cell && typeof cell.id === 'string') {
      leak.cellId = cell.id;
    }
    if (cell && typeof cell.cell_type === 'string') {
      leak.cellType = cell.cell_type;
    }
    leaks.push(leak);
  };
  const scan = (value: unknown, place: LeakPlace, cellIndex: number | null, cell?: Record<string, unknown>): void => {
    walkStrings(value, (text, image) => {
      // Image data is searched as text, not decoded: it is no base64 log.
      for (const token of findTokenValues(text, { image })) {
        report(token, place, cellIndex, cell);
      }
    });
  };

  try {
    if (!isRecord(content)) {
      return leaks;
    }
    for (const key of orderedKeys(content, ['cells', 'metadata'])) {
      const value = content[key];
      if (key === 'cells' && Array.isArray(value)) {
        value.forEach((cell: unknown, index: number) => {
          if (!isRecord(cell)) {
            scan(cell, 'source', index);
            return;
          }
          for (const cellKey of orderedKeys(cell, CELL_KEY_ORDER)) {
            scan(cell[cellKey], cellPlace(cellKey), index, cell);
          }
          // A token split across this cell's source and the next one's:
          // reported at the head's cell.
          if (index + 1 < value.length) {
            for (const token of findSplitTokensAcross(sourceText(cell), sourceText(value[index + 1]))) {
              report(token, 'source', index, cell);
            }
          }
        });
      } else if (key === 'metadata' && isRecord(value)) {
        for (const metaKey of Object.keys(value)) {
          const place: LeakPlace = metaKey === WIDGETS_KEY ? 'widget-state' : 'notebook-metadata';
          scan(metaKey, place, null);
          scan(value[metaKey], place, null);
        }
      } else {
        scan(key, 'notebook-metadata', null);
        scan(value, 'notebook-metadata', null);
      }
    }
  } catch {
    // Exotic input (a throwing getter, a proxy): keep what was found.
  }
  return leaks;
}

/** Set `key` of `target` as an own property, even for `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true
    });
  } else {
    target[key] = value;
  }
}

/**
 * A deep copy of the arrays and plain objects in `root` (other values are
 * shared), passing every string and key through `mapString`. Iterative, and
 * shared or cyclic references are copied once.
 */
function deepCopy(root: unknown, mapString: (text: string) => string): unknown {
  if (typeof root === 'string') {
    return mapString(root);
  }
  if (typeof root !== 'object' || root === null) {
    return root;
  }
  const copies = new Map<object, unknown>();
  const emptyCopy = (source: object): unknown[] | Record<string, unknown> => (Array.isArray(source) ? [] : {});
  const rootCopy = emptyCopy(root);
  copies.set(root, rootCopy);
  const stack: Array<[object, unknown[] | Record<string, unknown>]> = [[root, rootCopy]];
  const copyValue = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return mapString(value);
    }
    if (typeof value !== 'object' || value === null) {
      return value;
    }
    if (copies.has(value)) {
      return copies.get(value);
    }
    const copy = emptyCopy(value);
    copies.set(value, copy);
    stack.push([value, copy]);
    return copy;
  };
  while (stack.length > 0) {
    const [source, target] = stack.pop() as [object, unknown[] | Record<string, unknown>];
    if (Array.isArray(source)) {
      const list = target as unknown[];
      for (const value of source) {
        list.push(copyValue(value));
      }
    } else {
      const record = source as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        setOwn(target as Record<string, unknown>, mapString(key), copyValue(record[key]));
      }
    }
  }
  return rootCopy;
}

/**
 * Remove tokens from the saved ipywidgets state (`metadata.widgets`) of a
 * notebook: a value such as a `Password` widget's is saved there in clear.
 *
 * Returns a deep copy of `content` in which every string (and key) inside
 * `metadata.widgets` has its tokens removed by {@link scrubTokens} (a string
 * that is exactly a token becomes `''`, and so does one holding a token only
 * in escaped, base64 or split form), and how many tokens were removed. `content` itself is
 * never modified; when there is nothing to remove (or `content` is not a
 * notebook), the same `content` object is returned with `removed: 0`.
 */
export function scrubWidgetState(content: unknown): {
  content: unknown;
  removed: number;
} {
  try {
    if (!isRecord(content) || !isRecord(content.metadata)) {
      return { content, removed: 0 };
    }
    const widgets = content.metadata[WIDGETS_KEY];
    if (!valueContainsToken(widgets)) {
      return { content, removed: 0 };
    }
    let removed = 0;
    const scrubbed = deepCopy(widgets, text => {
      const result = scrubTokens(text);
      removed += result.removed;
      return result.text;
    });
    const copy = deepCopy(content, text => text) as Record<string, unknown>;
    const metadata = copy.metadata as Record<string, unknown>;
    setOwn(metadata, WIDGETS_KEY, scrubbed);
    return { content: copy, removed };
  } catch {
    return { content, removed: 0 };
  }
}

/**
 * Whether any string (or key) inside the JSON `value` holds a token, as
 * {@link findTokenValues} finds them (escaped and base64 ones included;
 * `image/*` data searched as it is). The lines of a multi-line string are
 * looked at one by one, as {@link redactValue} and {@link scrubWidgetState}
 * replace them.
 */
export function valueContainsToken(value: unknown): boolean {
  let found = false;
  walkStrings(
    value,
    (text, image) => {
      found = found || findTokenValues(text, { image }).length > 0;
    },
    false
  );
  return found;
}

/**
 * Whether `text` holds a token as {@link findTokenValues} finds them
 * (unlike {@link containsToken}, also escaped, base64 and split ones).
 */
export function containsTokenValue(text: string): boolean {
  return findTokenValues(text).length > 0;
}

/**
 * `text` with every token replaced by {@link REDACTED_TOKEN_TEXT}; a text
 * that still holds one after that (escaped, base64, split) becomes just
 * {@link REDACTED_TOKEN_TEXT}.
 */
function redactText(text: string): string {
  const redacted = redactTokens(text).text;
  return findTokenValues(redacted).length === 0 ? redacted : REDACTED_TOKEN_TEXT;
}

/**
 * `value` with every token in its strings (and keys) replaced by
 * {@link REDACTED_TOKEN_TEXT} (a string holding one without a position
 * becomes just that text): the same object when there is none, else a copy
 * (`value` is never modified).
 */
export function redactValue<T>(value: T): T {
  return !valueContainsToken(value) ? value : (deepCopy(value, redactText) as T);
}

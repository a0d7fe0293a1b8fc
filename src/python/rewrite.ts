/**
 * Rewrites Python source so that GitHub token literals read an environment
 * variable instead (the leak guard's "replace with environment read"). The
 * lexer (./lexer.ts) tells where each token is: plain literals become
 * environment reads, f-string text gets a field, and tokens anywhere else
 * are redacted.
 *
 * Loaded with the leak guard's dialogs and the panel, not at start-up.
 */

import type { Trans } from '../i18n';
import { assertSafeEnvName } from '../kernel/validation';
import { findTokens, ITokenMatch, REDACTED_TOKEN_TEXT, redactTokens } from '../token/scan';
import { docstringBeforeFuture, osImportInsertion } from './imports';
import { IPyLiteral, IPyToken, isCellMagicSource, PyLexer } from './lexer';

/** A replacement of `source.slice(start, end)` by `text`. */
interface IEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * Apply non-overlapping edits (insertions before replacements at one offset,
 * insertions at one offset in the given order); `undefined` if two overlap.
 */
function applyEdits(source: string, edits: IEdit[]): string | undefined {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - a.start - (b.end - b.start));
  let out = '';
  let pos = 0;
  for (const edit of sorted) {
    if (edit.start < pos) {
      return undefined;
    }
    out += source.slice(pos, edit.start) + edit.text;
    pos = edit.end;
  }
  return out + source.slice(pos);
}

/** The other quote character. */
function otherQuote(quote: string): '"' | "'" {
  return quote === '"' ? "'" : '"';
}

/** `os.environ.get("NAME", "")`, quoted with `quote`. */
export function envRead(envName: string, quote: string): string {
  return `os.environ.get(${quote}${envName}${quote}, ${quote}${quote})`;
}

/** The first of `preferred` not in `blocked` (else the first). */
function pickQuote(preferred: Array<'"' | "'">, blocked: string): '"' | "'" {
  return preferred.find(quote => !blocked.includes(quote)) ?? preferred[0];
}

/** Number of consecutive backslashes ending just before `end` in `text`. */
function backslashesBefore(text: string, end: number): number {
  let count = 0;
  while (end - count - 1 >= 0 && text[end - count - 1] === '\\') {
    count++;
  }
  return count;
}

/**
 * Make `content` (a part of `lit` that a token followed) safe to close with
 * `lit`'s quotes. Two things can go wrong:
 *
 * - it ends with an unpaired backslash (which escaped the token's `g`, so
 *   the value has a backslash there): doubled in normal literals, moved to a
 *   separate `'\\'` part in raw ones;
 * - a triple-quoted part ends with unescaped quote characters, which would
 *   merge with the closing quotes: escaped in normal literals, moved to a
 *   separate part in raw ones.
 *
 * Returns the content to keep in the part and the literal of the extra part
 * (`''` for none).
 */
function closeSafely(content: string, lit: IPyLiteral): { body: string; extra: string } {
  const quote = lit.quote;
  if (backslashesBefore(content, content.length) % 2 === 1) {
    return lit.raw
      ? { body: content.slice(0, -1), extra: `${quote}\\\\${quote}` }
      : { body: `${content}\\`, extra: '' };
  }
  if (!lit.triple) {
    return { body: content, extra: '' };
  }
  let runStart = content.length;
  while (runStart > 0 && content[runStart - 1] === quote) {
    runStart--;
  }
  const keep = runStart + (backslashesBefore(content, runStart) % 2 === 1 ? 1 : 0);
  const loose = content.length - Math.min(keep, content.length);
  if (loose <= 0) {
    return { body: content, extra: '' };
  }
  if (!lit.raw) {
    return { body: content.slice(0, keep) + `\\${quote}`.repeat(loose), extra: '' };
  }
  const other = otherQuote(quote);
  const extra = lit.blocked.includes(other)
    ? `${quote}${`\\${quote}`.repeat(loose)}${quote}`
    : `${other}${quote.repeat(loose)}${other}`;
  return { body: content.slice(0, keep), extra };
}

/**
 * The expression replacing a plain literal that contains `tokens`: the
 * environment read alone when the literal is exactly one token, else the
 * literal's parts (same prefix and quotes) joined to environment reads with
 * `+`. Returns the text and how many operands it has.
 */
function rewritePlainLiteral(
  source: string,
  lit: IPyLiteral,
  tokens: ITokenMatch[],
  envName: string
): { text: string; operands: number } {
  const read = envRead(envName, pickQuote(['"', "'"], lit.blocked));
  if (tokens.length === 1 && tokens[0].start === lit.contentStart && tokens[0].end === lit.contentEnd) {
    return { text: read, operands: 1 };
  }
  const quotes = lit.triple ? lit.quote.repeat(3) : lit.quote;
  const part = (content: string): string => `${lit.prefix}${quotes}${content}${quotes}`;
  const operands: string[] = [];
  let pos = lit.contentStart;
  for (const token of tokens) {
    const before = source.slice(pos, token.start);
    if (before) {
      const { body, extra } = closeSafely(before, lit);
      if (body) {
        operands.push(part(body));
      }
      if (extra) {
        operands.push(extra);
      }
    }
    operands.push(read);
    pos = token.end;
  }
  const rest = source.slice(pos, lit.contentEnd);
  if (rest) {
    operands.push(part(rest));
  }
  return { text: operands.join(' + '), operands: operands.length };
}

/**
 * The quote for an environment read in a field of the f-string `lit`: one
 * that neither `lit` (unless triple-quoted) nor an enclosing single-quoted
 * f-string uses; `undefined` when both are taken (`f"{f'T'}"`, where no
 * quote is valid before Python 3.12).
 */
function fieldQuote(lit: IPyLiteral): '"' | "'" | undefined {
  const blocked = lit.blocked + (lit.triple ? '' : lit.quote);
  return [otherQuote(lit.quote), lit.quote].find(quote => !blocked.includes(quote));
}

/** Operators before a `+` chain that would bind tighter than `+`. */
const TIGHT_BEFORE = new Set(['*', '/', '%', '@', '-', '~']);

/** What after a `+` chain would bind tighter than `+` (calls, attributes...). */
const TIGHT_AFTER = new Set(['.', '(', '[', '*', '/', '%', '@']);

/**
 * Python source in which every GitHub token is gone, for the leak guard's
 * "replace the literal with an environment read":
 *
 * - a plain or raw string literal that is exactly a token becomes
 *   `os.environ.get("ENV", "")`;
 * - a token inside a larger plain or raw literal splits it:
 *   `'https://x:' + os.environ.get("ENV", "") + '@github.com/o/r.git'`
 *   (parenthesised when an operator or call around it binds tighter than
 *   `+`; `+` is added between implicitly concatenated literals);
 * - a token in the text of an f-string becomes
 *   `{os.environ.get('ENV', '')}`, with the quote the f-string does not use;
 * - anywhere else (comments, bytes and template literals, IPython `!` and
 *   `%` lines, names, unterminated literals, a module docstring followed by
 *   `from __future__` imports, an f-string whose fields can use neither
 *   quote) the token is replaced by `<GitHub token removed>` and counted in
 *   `redacted`.
 *
 * Each group of implicitly concatenated literals gets non-overlapping edits
 * (`"a T" f"b T"` becomes `"a " + read + f"b {read}"`). `import os` is added
 * (where ./imports.ts puts it) when an environment read was inserted and no
 * statement above the first one imports `os`. A cell magic cell (first line
 * `%%...`) is not Python: its tokens are only redacted.
 *
 * @throws UnsafeKernelInputError when `envName` is not a safe environment
 *   variable name (checked before anything else).
 */
export function replaceTokensInPythonSource(
  source: string,
  envName: string,
  trans: Trans
): { source: string; replaced: number; redacted: number } {
  assertSafeEnvName(envName, trans);
  const matches = findTokens(source);
  if (matches.length === 0) {
    return { source, replaced: 0, redacted: 0 };
  }
  if (isCellMagicSource(source)) {
    const result = redactTokens(source);
    return { source: result.text, replaced: 0, redacted: result.redacted };
  }

  const lexer = new PyLexer(source);
  const edits: IEdit[] = [];
  const plainTokens = new Map<IPyLiteral, ITokenMatch[]>();
  const docstring = docstringBeforeFuture(source, lexer);
  let firstRead = Infinity;
  let replaced = 0;
  let redacted = 0;

  // Classify each token by the region it is in (both lists are in order).
  const regions = lexer.regions;
  let r = 0;
  for (const match of matches) {
    while (r < regions.length && regions[r].end <= match.start) {
      r++;
    }
    const region = regions[r];
    const inside = region !== undefined && region.start <= match.start && match.end <= region.end;
    const lit = inside && region.kind === 'literal' ? region.literal : undefined;
    if (lit && lit.terminated && lit.kind === 'plain' && !docstring.has(lit)) {
      const list = plainTokens.get(lit) ?? [];
      list.push(match);
      plainTokens.set(lit, list);
      replaced++;
      firstRead = Math.min(firstRead, match.start);
    } else if (lit && lit.terminated && lit.kind === 'f' && fieldQuote(lit)) {
      const quote = fieldQuote(lit)!;
      const escape = !lit.raw && backslashesBefore(source, match.start) % 2 === 1 ? '\\' : '';
      edits.push({
        start: match.start,
        end: match.end,
        text: `${escape}{${envRead(envName, quote)}}`
      });
      replaced++;
      firstRead = Math.min(firstRead, match.start);
    } else {
      edits.push({ start: match.start, end: match.end, text: REDACTED_TOKEN_TEXT });
      redacted++;
    }
  }

  // Rewrite each group of implicitly concatenated literals holding a token.
  // Only its plain literals with tokens are replaced; `+` and parentheses are
  // insertions at literal boundaries. So the group never overlaps the edits
  // inside it (f-string text, comments between its literals, literals in
  // f-string fields), which one edit spanning the group did.
  for (const stream of lexer.streams) {
    let k = 0;
    while (k < stream.length) {
      if (stream[k].type !== 'string') {
        k++;
        continue;
      }
      let m = k;
      let holdsToken = false;
      while (m < stream.length && stream[m].type === 'string') {
        holdsToken ||= plainTokens.has(stream[m].literal!);
        m++;
      }
      if (holdsToken) {
        const groupEdits: IEdit[] = [];
        let operands = 0;
        let previousChanged = false;
        for (let g = k; g < m; g++) {
          const lit = stream[g].literal!;
          const tokens = plainTokens.get(lit);
          if (g > k && (previousChanged || tokens)) {
            const at = stream[g - 1].end;
            groupEdits.push({ start: at, end: at, text: ' +' });
          }
          if (tokens) {
            const rewritten = rewritePlainLiteral(source, lit, tokens, envName);
            groupEdits.push({ start: lit.start, end: lit.end, text: rewritten.text });
            operands += rewritten.operands;
          } else {
            operands++;
          }
          previousChanged = tokens !== undefined;
        }
        const opText = (token: IPyToken | undefined): string => (token?.type === 'op' ? source[token.start] : '');
        if (operands > 1 && (TIGHT_BEFORE.has(opText(stream[k - 1])) || TIGHT_AFTER.has(opText(stream[m])))) {
          const open = stream[k].start;
          const close = stream[m - 1].end;
          groupEdits.unshift({ start: open, end: open, text: '(' });
          groupEdits.push({ start: close, end: close, text: ')' });
        }
        for (const edit of groupEdits) {
          edits.push(edit); // Not push(...): a group can hold 100,000 literals.
        }
      }
      k = m;
    }
  }

  // The import first: it may be inserted where a group's `(` is.
  // An `import os` below the first environment read does not count.
  const insertion = replaced > 0 ? osImportInsertion(source, lexer, firstRead) : undefined;
  const all = insertion ? [{ start: insertion.offset, end: insertion.offset, text: insertion.text }, ...edits] : edits;
  const rewritten = applyEdits(source, all);
  if (rewritten === undefined) {
    // Overlapping edits would garble the cell (none are known): remove the
    // tokens without rewriting anything else.
    const result = redactTokens(source);
    return { source: result.text, replaced: 0, redacted: result.redacted };
  }
  return { source: rewritten, replaced, redacted };
}

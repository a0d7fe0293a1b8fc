/**
 * Rewrites Python source so that GitHub token literals read an environment
 * variable instead (the leak guard's "replace with environment read", and
 * the notebook field writer's token cells). A small Python lexer finds
 * string literals (every prefix, quote and f-string nesting), comments and
 * IPython `!`/`%` lines; tokens anywhere else are redacted.
 *
 * Loaded with the leak guard's dialogs and the panel, not at start-up.
 */

import { assertSafeEnvName } from '../kernel/code';
import { defaultTrans, Trans } from '../i18n';
import { findTokens, isWordCode, ITokenMatch, REDACTED_TOKEN_TEXT, redactTokens } from '../token/scan';

// ---------------------------------------------------------------------------
// Python source
// ---------------------------------------------------------------------------

/** What kind of string literal: only `plain` ones become environment reads. */
type LiteralKind = 'plain' | 'bytes' | 'f' | 'other';

/** A string literal of Python source. */
interface IPyLiteral {
  /** Index of the first prefix character (or of the opening quote). */
  start: number;
  /** Index after the closing quote (after the last character if unterminated). */
  end: number;
  /** The prefix as written (`''`, `r`, `Rb`, `f`...). */
  prefix: string;
  quote: '"' | "'";
  triple: boolean;
  kind: LiteralKind;
  raw: boolean;
  contentStart: number;
  contentEnd: number;
  terminated: boolean;
  /**
   * Quote characters that code at this literal's position cannot contain:
   * those of the enclosing single-quoted f-strings (before Python 3.12).
   */
  blocked: string;
}

/** A part of the source whose tokens are treated alike. */
interface IPyRegion {
  start: number;
  end: number;
  /**
   * `literal`: the content of a string literal, or a literal-text part of an
   * f-string; `comment`; `magic`: an IPython `!shell` or `%magic` line;
   * `format-spec`: the format specification of an f-string field.
   */
  kind: 'literal' | 'comment' | 'magic' | 'format-spec';
  literal?: IPyLiteral;
}

/** A token of Python code, as far as this module needs them. */
interface IPyToken {
  type: 'name' | 'number' | 'op' | 'string' | 'newline';
  start: number;
  end: number;
  literal?: IPyLiteral;
}

/** Where {@link PyLexer.lexCode} stopped. */
interface ILexEnd {
  end: number;
  /** Whether the f-string field ended with its `}`. */
  closed: boolean;
}

/** The code context being lexed. */
interface ICodeContext {
  /** The enclosing f-string, for the code of one of its fields. */
  fString?: IPyLiteral;
  /** Quote characters code here cannot contain (see {@link IPyLiteral}). */
  blocked: string;
  /** How many f-strings enclose this code. */
  fDepth: number;
}

/** Valid string prefixes (lowercase): `t` strings are Python 3.14 templates. */
const STRING_PREFIXES: ReadonlySet<string> = new Set(['r', 'u', 'b', 'f', 't', 'br', 'rb', 'fr', 'rf', 'tr', 'rt']);

/**
 * Nested f-strings and format-spec fields deeper than this are not looked
 * into, which bounds the recursion of the lexer.
 */
const MAX_F_DEPTH = 32;

/**
 * An IPython line at a statement start: `!shell`, `%magic`, or an
 * assignment from one (`files = !ls`, `t = %time f()`).
 */
const MAGIC_LINE = /[ \t]*(?:[!%]|[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*[!%])/y;

/** Whether `char` can be part of a Python identifier (non-ASCII included). */
function isIdentChar(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x80 ? isWordCode(code) : !/\s/.test(char);
}

/**
 * A small Python (and IPython) lexer: it finds string literals (with their
 * prefixes, triple quotes, escapes and f-string fields), comments, IPython
 * `!`/`%` lines, and the tokens around literals. It never throws and runs in
 * linear time; malformed code is lexed as well as possible (an unterminated
 * literal ends at the end of its line, or of the source for triple quotes).
 */
class PyLexer {
  /** Regions in source order (they never overlap). */
  readonly regions: IPyRegion[] = [];
  /** One token stream per code context (the cell, then each f-string field). */
  readonly streams: IPyToken[][] = [];
  /** Offsets of the lines that start a statement (top level, not continued). */
  readonly statementStarts = new Set<number>();

  constructor(readonly src: string) {
    this.lexCode(0, { blocked: '', fDepth: 0 });
  }

  private region(start: number, end: number, kind: IPyRegion['kind'], literal?: IPyLiteral): void {
    if (end > start) {
      this.regions.push({ start, end, kind, literal });
    }
  }

  /** Index of the next `\n` from `i` (or the end of the source). */
  private endOfLine(i: number): number {
    const eol = this.src.indexOf('\n', i);
    return eol < 0 ? this.src.length : eol;
  }

  /**
   * Lex code from `i`: the whole source at top level, or the field of an
   * f-string up to its closing `}`.
   */
  lexCode(i: number, ctx: ICodeContext): ILexEnd {
    const src = this.src;
    const n = src.length;
    const top = ctx.fString === undefined;
    const stream: IPyToken[] = [];
    this.streams.push(stream);
    let depth = 0;
    let atLineStart = top;
    let continued = false;
    while (i < n) {
      if (atLineStart) {
        atLineStart = false;
        if (depth === 0 && !continued) {
          this.statementStarts.add(i);
          MAGIC_LINE.lastIndex = i;
          if (MAGIC_LINE.test(src)) {
            i = this.magicLine(i, stream);
            atLineStart = true;
            continue;
          }
        }
        continued = false;
      }
      const char = src[i];
      if (!top && depth === 0) {
        if (char === '}') {
          return { end: i + 1, closed: true };
        }
        if (char === ':') {
          return this.formatSpec(i + 1, ctx);
        }
        if (char === '!' && src[i + 1] !== '=') {
          i++; // A conversion (`!r`): the name follows.
          continue;
        }
      }
      if (char === '\n') {
        if (!top && !ctx.fString!.triple) {
          return { end: i, closed: false };
        }
        if (top && depth === 0) {
          stream.push({ type: 'newline', start: i, end: i + 1 });
        }
        atLineStart = top;
        i++;
      } else if (char === '\\' && src[i + 1] === '\n') {
        continued = true;
        atLineStart = top;
        i += 2;
      } else if (char === '\\' && src[i + 1] === '\r' && src[i + 2] === '\n') {
        continued = true;
        atLineStart = top;
        i += 3;
      } else if (char === '#' && (top || ctx.fString!.triple)) {
        const eol = this.endOfLine(i);
        this.region(i, eol, 'comment');
        i = eol;
      } else if (char === ' ' || char === '\t' || char === '\r' || char === '\f') {
        i++;
      } else if (char === '"' || char === "'") {
        i = this.lexString(i, i, ctx, stream);
      } else if (char >= '0' && char <= '9') {
        let j = i + 1;
        while (j < n && (isIdentChar(src[j]) || src[j] === '.')) {
          j++;
        }
        stream.push({ type: 'number', start: i, end: j });
        i = j;
      } else if (isIdentChar(char)) {
        let j = i + 1;
        while (j < n && isIdentChar(src[j])) {
          j++;
        }
        const word = src.slice(i, j);
        if ((src[j] === '"' || src[j] === "'") && STRING_PREFIXES.has(word.toLowerCase())) {
          i = this.lexString(i, j, ctx, stream);
        } else {
          stream.push({ type: 'name', start: i, end: j });
          i = j;
        }
      } else {
        if (char === '(' || char === '[' || char === '{') {
          depth++;
        } else if (char === ')' || char === ']' || char === '}') {
          depth = Math.max(0, depth - 1);
        }
        stream.push({ type: 'op', start: i, end: i + 1 });
        i++;
      }
    }
    return { end: n, closed: false };
  }

  /** An IPython line from `i` (with its `\` continuations); returns the next line's start. */
  private magicLine(i: number, stream: IPyToken[]): number {
    const src = this.src;
    let eol = this.endOfLine(i);
    // Look only at the line's end: testing the whole line so far for each
    // continuation would be quadratic.
    while (eol < src.length && (src[eol - 1] === '\\' || (src[eol - 1] === '\r' && src[eol - 2] === '\\'))) {
      eol = this.endOfLine(eol + 1);
    }
    this.region(i, eol, 'magic');
    if (eol < src.length) {
      stream.push({ type: 'newline', start: eol, end: eol + 1 });
      return eol + 1;
    }
    return eol;
  }

  /** The format specification of an f-string field, from after its `:`. */
  private formatSpec(i: number, ctx: ICodeContext): ILexEnd {
    const src = this.src;
    const lit = ctx.fString!;
    let regionStart = i;
    while (i < src.length) {
      const char = src[i];
      if (char === '{' && ctx.fDepth < MAX_F_DEPTH) {
        this.region(regionStart, i, 'format-spec');
        const nested = this.lexCode(i + 1, { ...ctx, fDepth: ctx.fDepth + 1 });
        if (!nested.closed) {
          return nested;
        }
        i = regionStart = nested.end;
      } else if (char === '}') {
        this.region(regionStart, i, 'format-spec');
        return { end: i + 1, closed: true };
      } else if (this.closesAt(lit, i) || (char === '\n' && !lit.triple)) {
        this.region(regionStart, i, 'format-spec');
        return { end: i, closed: false };
      } else {
        i++;
      }
    }
    this.region(regionStart, i, 'format-spec');
    return { end: i, closed: false };
  }

  /** Whether the closing quote(s) of `lit` are at `i`. */
  private closesAt(lit: IPyLiteral, i: number): boolean {
    return lit.triple ? this.tripleAt(lit.quote, i) : this.src[i] === lit.quote;
  }

  /** Whether `quote` is at `i` three times (compared in place: this runs per character). */
  private tripleAt(quote: string, i: number): boolean {
    const src = this.src;
    return src[i] === quote && src[i + 1] === quote && src[i + 2] === quote;
  }

  /**
   * A string literal whose prefix starts at `start` and opening quote is at
   * `quoteAt`; returns the index after it.
   */
  private lexString(start: number, quoteAt: number, ctx: ICodeContext, stream: IPyToken[]): number {
    const src = this.src;
    const quote = src[quoteAt] as '"' | "'";
    const triple = this.tripleAt(quote, quoteAt);
    const prefix = src.slice(start, quoteAt);
    const lower = prefix.toLowerCase();
    let kind: LiteralKind = lower.includes('b')
      ? 'bytes'
      : lower.includes('f')
        ? 'f'
        : lower.includes('t')
          ? 'other'
          : 'plain';
    if (kind === 'f' && ctx.fDepth >= MAX_F_DEPTH) {
      kind = 'other';
    }
    const contentStart = quoteAt + (triple ? 3 : 1);
    const lit: IPyLiteral = {
      start,
      end: contentStart,
      prefix,
      quote,
      triple,
      kind,
      raw: lower.includes('r'),
      contentStart,
      contentEnd: contentStart,
      terminated: false,
      blocked: ctx.blocked
    };
    if (kind === 'f') {
      this.lexFString(lit, ctx);
    } else {
      this.lexSimpleString(lit);
    }
    stream.push({ type: 'string', start, end: lit.end, literal: lit });
    return lit.end;
  }

  /** Close `lit` at `i` (its content ends there). */
  private finish(lit: IPyLiteral, i: number, terminated: boolean): void {
    lit.contentEnd = i;
    lit.terminated = terminated;
    lit.end = terminated ? i + (lit.triple ? 3 : 1) : i;
  }

  /** A literal without fields (anything but an f-string). */
  private lexSimpleString(lit: IPyLiteral): void {
    const src = this.src;
    const n = src.length;
    let i = lit.contentStart;
    for (;;) {
      if (i >= n) {
        this.finish(lit, n, false);
        break;
      }
      const char = src[i];
      if (char === '\\') {
        // An escape (in raw strings too, a backslash keeps the quote after
        // it in the string); `\` + CRLF continues the line.
        i += src[i + 1] === '\r' && src[i + 2] === '\n' ? 3 : 2;
        continue;
      }
      if (this.closesAt(lit, i)) {
        this.finish(lit, i, true);
        break;
      }
      if (char === '\n' && !lit.triple) {
        this.finish(lit, i, false);
        break;
      }
      i++;
    }
    this.region(lit.contentStart, Math.min(lit.contentEnd, n), 'literal', lit);
  }

  /** An f-string: literal text parts and `{...}` fields. */
  private lexFString(lit: IPyLiteral, ctx: ICodeContext): void {
    const src = this.src;
    const n = src.length;
    const fieldContext: ICodeContext = {
      fString: lit,
      blocked: ctx.blocked + (lit.triple ? '' : lit.quote),
      fDepth: ctx.fDepth + 1
    };
    let i = lit.contentStart;
    let textStart = i;
    // Inside a named escape, `\N{EM DASH}`, whose braces are not a field. As
    // in CPython's tokenizer it lasts to the next `}` or the end of the
    // literal: a state, not a search ahead, so unterminated ones stay linear.
    let namedEscape = false;
    for (;;) {
      if (i >= n) {
        this.region(textStart, n, 'literal', lit);
        this.finish(lit, n, false);
        return;
      }
      const char = src[i];
      if (char === '\\') {
        const next = src[i + 1];
        if (next === '{' || next === '}') {
          i++; // A backslash, then a field (or a doubled brace).
        } else if (!lit.raw && next === 'N' && src[i + 2] === '{') {
          namedEscape = true;
          i += 3;
        } else {
          i += next === '\r' && src[i + 2] === '\n' ? 3 : 2;
        }
        continue;
      }
      if (this.closesAt(lit, i) || (char === '\n' && !lit.triple)) {
        this.region(textStart, i, 'literal', lit);
        this.finish(lit, i, char !== '\n' || lit.triple);
        return;
      }
      if (namedEscape) {
        namedEscape = char !== '}';
        i++;
        continue;
      }
      if (char === '{') {
        if (src[i + 1] === '{') {
          i += 2;
          continue;
        }
        this.region(textStart, i, 'literal', lit);
        i = textStart = this.lexCode(i + 1, fieldContext).end;
        continue;
      }
      i += char === '}' && src[i + 1] === '}' ? 2 : 1;
    }
  }
}

/**
 * Whether `source` is a cell magic cell (`%%bash`, `%%capture`...): its first
 * non-blank line starts, after indentation, with `%%`. Such a cell is not
 * plain Python.
 */
export function isCellMagicSource(source: string): boolean {
  return typeof source === 'string' && /^\s*%%/.test(source);
}

/**
 * For each line of `source` (split on `\n`), whether it starts a Python
 * statement: it is not inside a string literal, brackets, or a backslash
 * continuation. Lines of an unterminated construct are `false`.
 */
export function pythonStatementLines(source: string): boolean[] {
  return statementLines(source, new PyLexer(source));
}

/** For each line of the lexed `source`, whether it starts a statement. */
function statementLines(source: string, lexer: PyLexer): boolean[] {
  const result: boolean[] = [];
  let offset = 0;
  for (const line of source.split('\n')) {
    result.push(lexer.statementStarts.has(offset));
    offset += line.length + 1;
  }
  return result;
}

/** Whether one physical line imports the name `os` (`import os`, `import sys, os`, `import os.path`). */
function lineImportsOs(line: string): boolean {
  const code = line.split('#')[0];
  for (const statement of code.split(';')) {
    const match = /^\s*import\s+(.+)$/.exec(statement);
    if (!match) {
      continue;
    }
    for (const item of match[1].split(',')) {
      const name = item.trim();
      if (/^os(\s*\.\s*[A-Za-z_]\w*)*$/.test(name) || /^os\s+as\s+os$/.test(name)) {
        return true;
      }
    }
  }
  return false;
}

/** Whether a statement of the lexed source, on a line starting before offset `before`, imports `os`. */
function importsOs(source: string, lexer: PyLexer, before: number): boolean {
  const starts = statementLines(source, lexer);
  let offset = 0;
  return source.split('\n').some((line, i) => {
    const found = offset < before && starts[i] && lineImportsOs(line);
    offset += line.length + 1;
    return found;
  });
}

/**
 * The literals of a module docstring that `from __future__` imports follow:
 * an environment read there would be an expression before them, which
 * Python refuses, so their tokens are redacted instead.
 */
function docstringBeforeFuture(source: string, lexer: PyLexer): Set<IPyLiteral> {
  const stream = lexer.streams[0];
  const text = (k: number): string => (k < stream.length ? source.slice(stream[k].start, stream[k].end) : '');
  let k = 0;
  while (stream[k]?.type === 'newline') {
    k++;
  }
  const literals = new Set<IPyLiteral>();
  while (stream[k]?.type === 'string') {
    literals.add(stream[k++].literal!);
  }
  if (k < stream.length && stream[k].type !== 'newline') {
    return new Set();
  }
  while (stream[k]?.type === 'newline') {
    k++;
  }
  return text(k) === 'from' && text(k + 1) === '__future__' ? literals : new Set();
}

/** A PEP 263 encoding declaration. */
const CODING_LINE = /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/;

/**
 * Where `import os` goes: after a shebang / encoding comment, and after the
 * leading `from __future__` imports (with the docstring, comments and blank
 * lines before them), which must stay first.
 */
function importInsertionOffset(source: string, lexer: PyLexer): number {
  const stream = lexer.streams[0];
  let k = 0;
  const skipNewlines = (): void => {
    while (k < stream.length && stream[k].type === 'newline') {
      k++;
    }
  };
  const text = (token: IPyToken | undefined): string => (token ? source.slice(token.start, token.end) : '');
  skipNewlines();
  if (stream[k]?.type === 'string') {
    let after = k;
    while (stream[after]?.type === 'string') {
      after++;
    }
    if (after >= stream.length || stream[after].type === 'newline') {
      k = after; // The docstring.
      skipNewlines();
    }
  }
  let offset = -1;
  while (text(stream[k]) === 'from' && text(stream[k + 1]) === '__future__') {
    while (k < stream.length && stream[k].type !== 'newline') {
      k++;
    }
    offset = k < stream.length ? stream[k].end : source.length;
    skipNewlines();
  }
  if (offset >= 0) {
    return offset;
  }
  const lines = source.split('\n');
  let line = 0;
  if (lines[0].startsWith('#!')) {
    line = 1;
  }
  if (line < lines.length && line <= 1 && CODING_LINE.test(lines[line])) {
    line++;
  }
  let header = 0;
  for (let i = 0; i < line; i++) {
    header += lines[i].length + 1;
  }
  return Math.min(header, source.length);
}

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

/**
 * The insertion of `import os` into the lexed `source`, or none when a
 * statement on a line starting before offset `before` imports `os`.
 */
function osImportEdit(source: string, lexer: PyLexer, before = Infinity): IEdit[] {
  if (importsOs(source, lexer, before)) {
    return [];
  }
  const offset = importInsertionOffset(source, lexer);
  const newline = source.includes('\r\n') ? '\r\n' : '\n';
  const lineBreak = offset > 0 && source[offset - 1] !== '\n' ? newline : '';
  return [{ start: offset, end: offset, text: `${lineBreak}import os${newline}` }];
}

/**
 * `source` with `import os` added when no statement imports `os` (`import
 * os`, `import os.path`, `import sys, os`...). The import goes first, but
 * after a shebang or encoding comment and after leading `from __future__`
 * imports. Cell magic cells are returned unchanged.
 */
export function ensureOsImport(source: string): string {
  if (isCellMagicSource(source)) {
    return source;
  }
  // One insertion: it cannot overlap.
  return applyEdits(source, osImportEdit(source, new PyLexer(source))) ?? source;
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
 * (see {@link ensureOsImport}) when an environment read was inserted and no
 * statement above the first one imports `os`. A cell magic cell (first line
 * `%%...`) is not Python: its tokens are only redacted.
 *
 * @throws UnsafeKernelInputError when `envName` is not a safe environment
 *   variable name (checked before anything else).
 */
export function replaceTokensInPythonSource(
  source: string,
  envName: string,
  trans: Trans = defaultTrans
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
  const all = replaced > 0 ? [...osImportEdit(source, lexer, firstRead), ...edits] : edits;
  const rewritten = applyEdits(source, all);
  if (rewritten === undefined) {
    // Overlapping edits would garble the cell (none are known): remove the
    // tokens without rewriting anything else.
    const result = redactTokens(source);
    return { source: result.text, replaced: 0, redacted: result.redacted };
  }
  return { source: rewritten, replaced, redacted };
}

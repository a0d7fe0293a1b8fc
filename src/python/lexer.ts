/**
 * A small Python (and IPython) lexer, shared by the token rewrite
 * (./rewrite.ts), the `import os` handling (./imports.ts) and the notebook
 * field finder (../notebook/fields.ts): string literals with every prefix,
 * quote and f-string nesting, comments, IPython `!`/`%` lines, the tokens
 * of code, and which lines start a statement.
 *
 * Pure and linear: test/bench/lexer_bench.js holds it to a time bound on
 * 4 MB adversarial cells.
 */

import { isWordCode } from '../token/scan';

/** What kind of string literal: only `plain` ones become environment reads. */
export type LiteralKind = 'plain' | 'bytes' | 'f' | 'other';

/** A string literal of Python source. */
export interface IPyLiteral {
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
export interface IPyRegion {
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

/** A token of Python code, as far as its users need them (comments are regions, not tokens). */
export interface IPyToken {
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
export class PyLexer {
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
  private lexCode(i: number, ctx: ICodeContext): ILexEnd {
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

  /** For each line of the source (split on `\n`), whether it starts a statement. */
  statementLines(): boolean[] {
    const result: boolean[] = [];
    let offset = 0;
    for (const line of this.src.split('\n')) {
      result.push(this.statementStarts.has(offset));
      offset += line.length + 1;
    }
    return result;
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
  return new PyLexer(source).statementLines();
}

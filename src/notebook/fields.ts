/**
 * Finds a notebook's "GitHub token" field among its assignment cells, such as
 *
 * ```python
 * github_token = ""  # @param {type:"string"}
 * GITHUB_TOKEN = "paste your token here"
 * ```
 *
 * and rewrites it: to read the token from the environment
 * (`os.environ.get("GITHUB_TOKEN", "")`), or, when the user asks for it, to
 * a literal.
 *
 * Pure string work on the tokens of the Python lexer (../python/lexer.ts):
 * no kernel, no DOM. No message contains a token, and previews mask them.
 */

import type { Trans } from '../i18n';
import { assertSafeEnvName, assertSafeToken } from '../kernel/validation';
import { ensureOsImport } from '../python/imports';
import { IPyToken, isCellMagicSource, PyLexer } from '../python/lexer';
import { envRead } from '../python/rewrite';
import { maskToken } from '../token/mask';
import { containsToken, replaceTokens } from '../token/scan';

/** Names commonly given to a GitHub-token field, whatever it is configured as. */
const FIELD_ALIASES: readonly string[] = [
  'GitHub token',
  'Personal Access Token',
  'github_token',
  'GH_TOKEN',
  'GitHub PAT'
];

/** Lowercase `text` and keep only `[a-z0-9]`. */
function normalize(text: string): string {
  return typeof text === 'string' ? text.toLowerCase().replace(/[^a-z0-9]/g, '') : '';
}

/** The normalised aliases (`githubtoken`, `personalaccesstoken`, ...). */
const NORMALIZED_ALIASES: readonly string[] = [...new Set(FIELD_ALIASES.map(normalize))];

/**
 * Whether `text` (a variable name, a widget description or label) names the
 * field `fieldName`. Loose on purpose: both are lowercased and stripped of
 * everything but letters and digits, and `text` matches when it contains
 * the field name or one of the usual names of a token field ("GitHub
 * token", "Personal Access Token", "GH_TOKEN", "GitHub PAT"). A field name
 * with no letter or digit is ignored (the usual names still apply).
 *
 * `*Personal Access Token:`, `GITHUB_TOKEN` and `Your GitHub token:` match;
 * `token` alone and `Repository URL` do not.
 */
export function fieldNameMatches(text: string, fieldName: string): boolean {
  const normalizedText = normalize(text);
  if (!normalizedText) {
    return false;
  }
  const field = normalize(fieldName);
  return (
    (field !== '' && normalizedText.includes(field)) || NORMALIZED_ALIASES.some(alias => normalizedText.includes(alias))
  );
}

/** An assignment cell line that can hold the token. */
export interface IAssignmentCandidate {
  /** Index of the cell in the list given to {@link findAssignmentCandidates}. */
  cellIndex: number;
  /** 0-based line within the cell's source. */
  line: number;
  /** The assigned variable. */
  variable: string;
  /**
   * What is assigned now: an empty string, a string holding a GitHub token,
   * an environment read, or another string (a placeholder).
   */
  current: 'empty' | 'token' | 'env' | 'other';
  /** The line, tokens masked, at most 120 characters. */
  preview: string;
}

/** Longest {@link IAssignmentCandidate.preview}. */
const MAX_PREVIEW_LENGTH = 120;

/** The variable: an ASCII identifier (the lexer's names also take other letters). */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The environment reads a value may be: their text up to the opening bracket, and the closing one. */
const ENV_READS: ReadonlyArray<{ open: string; close: string }> = [
  { open: 'os.environ.get(', close: ')' },
  { open: 'os.environ[', close: ']' },
  { open: 'os.getenv(', close: ')' }
];

/** The arguments of an environment read hold none of these outside strings. */
const BRACKETS: ReadonlySet<string> = new Set(['(', ')', '[', ']']);

/** A line of a cell: its number, where it starts and ends (before `\r\n` or `\n`), and its text. */
interface ILine {
  line: number;
  start: number;
  end: number;
  text: string;
}

/** A candidate-shaped assignment statement of a cell. */
interface IAssignment {
  line: ILine;
  variable: string;
  /** Where the assigned value is in the cell's source. */
  valueStart: number;
  valueEnd: number;
  current: IAssignmentCandidate['current'];
}

/**
 * The index of the closing bracket of the environment read starting with
 * `stream[k]` on `line`, or -1 when it is none (or does not end on the line).
 */
function envReadClose(source: string, stream: readonly IPyToken[], k: number, line: ILine): number {
  const read = ENV_READS.find(({ open }) => source.startsWith(open, stream[k].start));
  if (!read) {
    return -1;
  }
  // The tokens of `open` are glued: its bracket is the token ending where the text does.
  const openEnd = stream[k].start + read.open.length;
  let next = k;
  while (stream[next] && stream[next].end < openEnd) {
    next++;
  }
  if (stream[next]?.end !== openEnd) {
    return -1;
  }
  const bracket = (token: IPyToken | undefined): boolean =>
    token?.type === 'op' && BRACKETS.has(source.slice(token.start, token.end));
  do {
    next++;
  } while (stream[next] && stream[next].end <= line.end && !bracket(stream[next]));
  const close = stream[next];
  return close && close.end <= line.end && source.slice(close.start, close.end) === read.close ? next : -1;
}

/**
 * The assignment starting with `stream[k]`, the first token of `line`, if it
 * is candidate-shaped: `NAME = <value>` or `NAME: str = <value>` (spaces and
 * tabs between the parts), then spaces and an optional comment, all on this
 * line. The value is a one-line plain string literal (no prefix, or `u`,
 * `r`) or an environment read without brackets in its arguments (outside
 * strings).
 */
function assignmentAt(source: string, stream: readonly IPyToken[], k: number, line: ILine): IAssignment | undefined {
  // A `\r` inside the line is a line break for Python.
  if (line.text.includes('\r')) {
    return undefined;
  }
  const text = (token: IPyToken): string => source.slice(token.start, token.end);
  const isOp = (token: IPyToken | undefined, op: string): boolean => token?.type === 'op' && text(token) === op;
  // Between the parts: spaces and tabs only (no `\f`, no backslash continuation).
  const spaced = (from: number, to: number): boolean => /^[ \t]*$/.test(source.slice(from, to));
  const onLine = (token: IPyToken | undefined): token is IPyToken => token !== undefined && token.end <= line.end;

  const name = stream[k];
  if (name.type !== 'name' || !VARIABLE_NAME.test(text(name))) {
    return undefined;
  }
  // The head: `NAME`, perhaps `: str`, then `=`.
  let last = name;
  let next = k + 1;
  const take = (matches: (token: IPyToken) => boolean): boolean => {
    const token = stream[next];
    if (!onLine(token) || !spaced(last.end, token.start) || !matches(token)) {
      return false;
    }
    last = token;
    next++;
    return true;
  };
  if (isOp(stream[next], ':') && !(take(token => isOp(token, ':')) && take(token => text(token) === 'str'))) {
    return undefined;
  }
  if (!take(token => isOp(token, '='))) {
    return undefined;
  }
  const value = stream[next];
  if (!onLine(value) || !spaced(last.end, value.start)) {
    return undefined;
  }
  let current: IAssignmentCandidate['current'];
  let valueEnd: number;
  const literal = value.literal;
  if (literal) {
    if (literal.kind !== 'plain' || literal.triple || !literal.terminated) {
      return undefined;
    }
    const content = source.slice(literal.contentStart, literal.contentEnd);
    current = content === '' ? 'empty' : containsToken(content) ? 'token' : 'other';
    valueEnd = value.end;
    next++;
  } else {
    const close = envReadClose(source, stream, next, line);
    if (close < 0) {
      return undefined;
    }
    current = 'env';
    valueEnd = stream[close].end;
    next = close + 1;
  }
  // The tail: spaces, then the end of the line or a comment (the lexer made
  // any `#` left on the line one).
  let after = valueEnd;
  while (source[after] === ' ' || source[after] === '\t') {
    after++;
  }
  if ((after < line.end && source[after] !== '#') || (stream[next] && stream[next].start < line.end)) {
    return undefined;
  }
  return { line, variable: text(name), valueStart: value.start, valueEnd, current };
}

/**
 * The candidate-shaped assignments of `source`, in line order: each is the
 * first statement of its line, at its very start (not indented, not in a
 * string, in brackets or on a continued line).
 */
function assignmentsIn(source: string): IAssignment[] {
  const lexer = new PyLexer(source);
  const stream = lexer.streams[0];
  const found: IAssignment[] = [];
  let k = 0;
  let start = 0;
  source.split('\n').forEach((rawLine, line) => {
    // One pass: tokens are in source order.
    while (k < stream.length && stream[k].start < start) {
      k++;
    }
    if (k < stream.length && stream[k].start === start && lexer.statementStarts.has(start)) {
      const text = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
      const assignment = assignmentAt(source, stream, k, { line, start, end: start + text.length, text });
      if (assignment) {
        found.push(assignment);
      }
    }
    start += rawLine.length + 1;
  });
  return found;
}

/** `line` with tokens masked, cut to 120 characters. */
function previewOf(line: string): string {
  const masked = replaceTokens(line, maskToken).text;
  return masked.length > MAX_PREVIEW_LENGTH ? `${masked.slice(0, MAX_PREVIEW_LENGTH - 1)}…` : masked;
}

/**
 * The lines of code cells that assign the GitHub-token field: top-level
 * (unindented, statement-starting) lines `NAME = <string>`,
 * `NAME: str = <string>` or `NAME = os.environ...` / `os.getenv(...)`,
 * optionally followed by a comment (such as Colab's
 * `# @param {type:"string"}`), where `NAME` matches `fieldName` (see
 * {@link fieldNameMatches}). The string is a one-line literal in single or
 * double quotes, optionally `u` or `r` prefixed. Cells other than code and
 * cell magic cells (`%%bash`...) are skipped.
 */
export function findAssignmentCandidates(
  cells: ReadonlyArray<{ cellType: string; source: string }>,
  fieldName: string
): IAssignmentCandidate[] {
  const candidates: IAssignmentCandidate[] = [];
  if (!Array.isArray(cells)) {
    return candidates;
  }
  cells.forEach((cell, cellIndex) => {
    const source: unknown = cell?.source;
    if (cell?.cellType !== 'code' || typeof source !== 'string' || isCellMagicSource(source)) {
      return;
    }
    for (const { line, variable, current } of assignmentsIn(source)) {
      if (fieldNameMatches(variable, fieldName)) {
        candidates.push({ cellIndex, line: line.line, variable, current, preview: previewOf(line.text) });
      }
    }
  });
  return candidates;
}

/**
 * Replace the value of the assignment on `line` of `source` by `value`,
 * keeping the rest of the line.
 *
 * @throws Error when that line is not a candidate-shaped assignment.
 */
function replaceValue(source: string, line: number, value: string, trans: Trans): string {
  const assignment =
    typeof source === 'string' && !isCellMagicSource(source)
      ? assignmentsIn(source).find(candidate => candidate.line.line === line)
      : undefined;
  if (!assignment) {
    throw new Error(
      trans.__(
        'Line %1 of the cell is not an assignment of a string or of an environment variable (such as github_token = ""); the cell may have changed. Look for the field again.',
        Number.isInteger(line) ? line + 1 : '?'
      )
    );
  }
  return source.slice(0, assignment.valueStart) + value + source.slice(assignment.valueEnd);
}

/**
 * Make the assignment on `line` (0-based) read the environment variable
 * `envName`: its value becomes `os.environ.get("ENV", "")`, keeping the
 * variable, annotation, spacing and trailing comment. `import os` is added
 * first (after a shebang, encoding comment or `from __future__` imports)
 * when the cell does not import `os`.
 *
 * @throws UnsafeKernelInputError when `envName` is not a safe environment
 *   variable name (checked first).
 * @throws Error when that line is not a candidate-shaped assignment.
 */
export function rewriteAssignmentToEnvRead(source: string, line: number, envName: string, trans: Trans): string {
  assertSafeEnvName(envName, trans);
  return ensureOsImport(replaceValue(source, line, envRead(envName, '"'), trans));
}

/**
 * Put `token` itself in the assignment on `line` (0-based), as a
 * double-quoted literal, keeping the variable, annotation, spacing and
 * trailing comment. Only for when the user explicitly asked for it.
 *
 * @throws UnsafeKernelInputError when `token` is not 1-255 letters, digits
 *   and underscores (checked first; the message never contains the token).
 * @throws Error when that line is not a candidate-shaped assignment.
 */
export function rewriteAssignmentToLiteral(source: string, line: number, token: string, trans: Trans): string {
  assertSafeToken(token, trans);
  return replaceValue(source, line, `"${token}"`, trans);
}

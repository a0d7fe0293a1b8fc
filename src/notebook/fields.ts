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
 * Pure string work: no kernel, no DOM. No message contains a token, and
 * previews mask them.
 */

import { defaultTrans, Trans } from '../i18n';
import { assertSafeEnvName, assertSafeToken } from '../kernel/code';
import { maskToken } from '../token/format';
import { ensureOsImport, envRead, isCellMagicSource, pythonStatementLines } from '../python/rewrite';
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

/** A one-line string literal, optionally `u`/`r` prefixed (no f, b, triple quotes). */
const STRING_LITERAL = String.raw`[uUrR]?(?:'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")`;

/** Call arguments or a subscript without nested brackets (strings allowed). */
const SIMPLE_ARGUMENTS = String.raw`(?:[^()\[\]'"#\r\n]|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")*`;

/** `os.environ.get(...)`, `os.environ[...]` or `os.getenv(...)`. */
const ENV_READ = String.raw`os\.(?:environ\.get\(${SIMPLE_ARGUMENTS}\)|environ\[${SIMPLE_ARGUMENTS}\]|getenv\(${SIMPLE_ARGUMENTS}\))`;

/**
 * A top-level `NAME = <literal or env read>` (or `NAME: str = ...`) line with
 * an optional trailing comment. Groups: head (name, annotation, `=` and the
 * spaces after it), name, value, tail (spaces and comment).
 */
const ASSIGNMENT_LINE = new RegExp(
  String.raw`^(?<head>(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:[ \t]*:[ \t]*str)?[ \t]*=[ \t]*)` +
    `(?<value>${STRING_LITERAL}|${ENV_READ})` +
    String.raw`(?<tail>[ \t]*(?:#.*)?)$`
);

/** The parts of a candidate-shaped line (without its `\r`). */
interface IAssignmentParts {
  head: string;
  name: string;
  value: string;
  tail: string;
}

/** Split `line` if it is candidate-shaped. */
function parseAssignment(line: string): IAssignmentParts | undefined {
  const groups = ASSIGNMENT_LINE.exec(line)?.groups;
  return groups
    ? {
        head: groups.head,
        name: groups.name,
        value: groups.value,
        tail: groups.tail
      }
    : undefined;
}

/** What a candidate's value currently is. */
function classifyValue(value: string): IAssignmentCandidate['current'] {
  if (value.startsWith('os.')) {
    return 'env';
  }
  const content = value.replace(/^[uUrR]/, '').slice(1, -1);
  if (content === '') {
    return 'empty';
  }
  return containsToken(content) ? 'token' : 'other';
}

/** `line` with tokens masked, cut to 120 characters. */
function previewOf(line: string): string {
  const masked = replaceTokens(line, maskToken).text;
  return masked.length > MAX_PREVIEW_LENGTH ? `${masked.slice(0, MAX_PREVIEW_LENGTH - 1)}…` : masked;
}

/** A line without its trailing `\r` (CRLF sources), and that `\r`. */
function splitCarriageReturn(line: string): [string, string] {
  return line.endsWith('\r') ? [line.slice(0, -1), '\r'] : [line, ''];
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
    const statements = pythonStatementLines(source);
    source.split('\n').forEach((rawLine: string, line: number) => {
      if (!statements[line]) {
        return;
      }
      const [text] = splitCarriageReturn(rawLine);
      const parts = parseAssignment(text);
      if (!parts || !fieldNameMatches(parts.name, fieldName)) {
        return;
      }
      candidates.push({
        cellIndex,
        line,
        variable: parts.name,
        current: classifyValue(parts.value),
        preview: previewOf(text)
      });
    });
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
  const lines = typeof source === 'string' ? source.split('\n') : [];
  const parts =
    Number.isInteger(line) &&
    line >= 0 &&
    line < lines.length &&
    !isCellMagicSource(source) &&
    pythonStatementLines(source)[line]
      ? parseAssignment(splitCarriageReturn(lines[line])[0])
      : undefined;
  if (!parts) {
    throw new Error(
      trans.__(
        'Line %1 of the cell is not an assignment of a string or of an environment variable (such as github_token = ""); the cell may have changed. Look for the field again.',
        Number.isInteger(line) ? line + 1 : '?'
      )
    );
  }
  const [, cr] = splitCarriageReturn(lines[line]);
  lines[line] = parts.head + value + parts.tail + cr;
  return lines.join('\n');
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
export function rewriteAssignmentToEnvRead(
  source: string,
  line: number,
  envName: string,
  trans: Trans = defaultTrans
): string {
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
export function rewriteAssignmentToLiteral(
  source: string,
  line: number,
  token: string,
  trans: Trans = defaultTrans
): string {
  assertSafeToken(token, trans);
  return replaceValue(source, line, `"${token}"`, trans);
}

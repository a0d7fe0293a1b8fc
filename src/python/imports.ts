/**
 * `import os` for code that reads the environment: whether a cell already
 * imports `os`, and where the import goes (after a shebang, an encoding
 * comment and the leading `from __future__` imports, which Python wants
 * first). Works on the tokens of ./lexer.ts.
 */

import { IPyLiteral, IPyToken, isCellMagicSource, PyLexer } from './lexer';

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
  const starts = lexer.statementLines();
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
export function docstringBeforeFuture(source: string, lexer: PyLexer): Set<IPyLiteral> {
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

/** Where and what to insert so that the lexed `source` imports `os`. */
export interface IOsImportInsertion {
  offset: number;
  text: string;
}

/**
 * The insertion of `import os` into the lexed `source`, or `undefined` when
 * a statement on a line starting before offset `before` imports `os`.
 */
export function osImportInsertion(source: string, lexer: PyLexer, before = Infinity): IOsImportInsertion | undefined {
  if (importsOs(source, lexer, before)) {
    return undefined;
  }
  const offset = importInsertionOffset(source, lexer);
  const newline = source.includes('\r\n') ? '\r\n' : '\n';
  const lineBreak = offset > 0 && source[offset - 1] !== '\n' ? newline : '';
  return { offset, text: `${lineBreak}import os${newline}` };
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
  const insertion = osImportInsertion(source, new PyLexer(source));
  return insertion ? source.slice(0, insertion.offset) + insertion.text + source.slice(insertion.offset) : source;
}

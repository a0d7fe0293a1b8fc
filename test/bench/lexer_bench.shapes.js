/**
 * Adversarial Python cells for the lexer of src/python/lexer.ts, shared by
 * the jest test of the rewrite (test/unit/python/rewrite.spec.ts: the
 * results are right) and test/bench/lexer_bench.js (they are computed in
 * linear time).
 *
 * Each shape repeats a construct that makes a naive lexer look ahead to the
 * end of the source (an unterminated `\N{`, triple quote, f-string field or
 * format spec, a continued magic line...), with tokens before, inside and
 * after, and says exactly what the rewrite must return.
 */
'use strict';

const REDACTED = '<GitHub token removed>';
const ENV = 'GITHUB_TOKEN';
const READ = `os.environ.get("${ENV}", "")`;
const READ1 = `os.environ.get('${ENV}', '')`;

/** `unit` repeated to about `size` characters (an odd count when `odd`). */
function fill(unit, size, odd = false) {
  let count = Math.max(1, Math.ceil(size / unit.length));
  if (odd && count % 2 === 0) {
    count++;
  }
  return unit.repeat(count);
}

/**
 * The adversarial cells, about `size` characters each, holding the test
 * token `token`: `{ name, source, expected }`, where `expected` is what
 * `replaceTokensInPythonSource(source, 'GITHUB_TOKEN').source` must be.
 */
function adversarialCells(token, size = 4 << 20) {
  const T = token;
  const last = `\nt = "${T}"`;
  const replacedLast = `\nt = ${READ}`;
  const cells = [];
  const add = (name, source, expected) => cells.push({ name, source, expected });
  // Ends with an env read, `import os` first.
  const plain = (name, body) => add(name, body + last, `import os\n${body}${replacedLast}`);

  // Unterminated named escapes: each one used to search the rest of the source for `}`.
  plain('\\N{ on one line', 's = f"' + fill('\\N{', size));
  plain('\\N{ closed by the quote, many lines', fill('s = f"\\N{ EM DASH"\n', size));
  plain('\\N{ in a triple-quoted f-string', 's = f"""' + fill('\\N{ x\n', size) + '"""');
  const escapeLine = `s = f"\\N{EM DASH} ${T} \\N{"\n`;
  const escapeLines = fill(escapeLine, size);
  add(
    '\\N{ with tokens in the text',
    escapeLines + `t = "${T}"`,
    'import os\n' + escapeLines.split(T).join(`{${READ1}}`) + `t = ${READ}`
  );
  // Triple quotes: unterminated (to the end), and inside single-quoted or comments.
  const triples = fill("'''", size, true);
  add('unterminated triple quotes', triples + last, triples + `\nt = "${REDACTED}"`);
  plain('triple quotes in strings and comments', `a = "x"\n` + fill(`x = "'''" '"""'  # '''\ny = "'''\n`, size));
  // Deep f-string fields and format specs, unterminated.
  plain('nested f-string fields', fill('f"{', size));
  plain('nested f-string fields, alternating quotes', fill('f\'{f"{', size));
  plain('nested format specs', fill('f"{x:{', size));
  plain('brackets in an f-string field', 's = f"{' + fill('(', size));
  plain(
    'fields, specs and escapes in a triple-quoted f-string',
    "s = f'''" + fill('{x!r:{w}} {{ \\N{EM DASH} \\N{\n', size) + "'''"
  );
  // IPython lines continued with backslashes: the token ends the magic line.
  const magic = fill('!echo x \\\n', size);
  add('continued magic line', magic + `t = "${T}"`, magic + `t = "${REDACTED}"`);
  const crlfMagic = fill('%env A=1 \\\r\n', size);
  add('continued magic line, CRLF', crlfMagic + `t = "${T}"`, crlfMagic + `t = "${REDACTED}"`);
  // Comments full of quotes, escapes and braces, each with a token.
  const comments = fill(`# '''"""\\N{ f"{ ${T}\n`, size);
  add(
    'comments with quotes and tokens',
    comments + `t = "${T}"`,
    'import os\n' + comments.split(T).join(REDACTED) + `t = ${READ}`
  );
  // One literal continued over many lines, and a long run of backslashes.
  const continued = fill('a\\\n', size);
  add('backslash-continued literal', `s = '${continued}${T}'`, `import os\ns = '${continued}' + ${READ}`);
  plain('backslashes', 'x = "' + fill('\\\\', size) + '"');
  // One huge group of implicitly concatenated literals.
  const unit = '"x" f"{x}"\n';
  const group = fill(unit, size);
  add('implicit concatenation group', `s = (${group}"${T}")`, `import os\ns = (${group.slice(0, -1)} +\n${READ})`);
  // The same with a token in every other literal: 160,000 edits in one group.
  const tokenUnit = `"${T}" f"{x}"\n`;
  const tokenGroup = fill(tokenUnit, size);
  const count = tokenGroup.length / tokenUnit.length;
  add(
    'implicit concatenation group, with tokens',
    `s = (${tokenGroup})`,
    `import os\ns = (${`${READ} + f"{x}" +\n`.repeat(count - 1)}${READ} + f"{x}"\n)`
  );
  return cells;
}

module.exports = { adversarialCells, ENV, READ, READ1, REDACTED };

import { spawnSync } from 'child_process';

import { UnsafeKernelInputError } from '../../../src/kernel/validation';
import { pythonStatementLines } from '../../../src/python/lexer';
import { replaceTokensInPythonSource } from '../../../src/python/rewrite';
import { findTokens, REDACTED_TOKEN_TEXT } from '../../../src/token/scan';
import { crc32, toBase62 } from '../../../src/token/checksum';
import { seededRandom, timed } from '../support/testing';
import { trans } from '../support/trans';

const { adversarialCells } = require('../../bench/lexer_bench.shapes.js');

/** A test token with a valid checksum (made up here, never a real one). */
function makeToken(prefix: string, seed: string): string {
  const payload = (seed + '0123456789abcdefghijklmnopqrstuvwxyz').slice(0, 30);
  return `${prefix}${payload}${toBase62(crc32(payload), 6)}`;
}

// A match that starts inside a word needs a valid checksum.
const VALID = makeToken('ghp_', 'RewriteSpec');
// Clearly fake tokens (no valid checksum needed): without one, a token glued
// to a word is not found, which some tests below rely on.
const T = 'ghp_' + 'A'.repeat(36);
const T2 = 'gho_' + '0123456789'.repeat(3) + 'abcdef';
const T3 = 'ghs_' + 'Z'.repeat(40);
const PAT = 'github_pat_' + 'B'.repeat(22) + '_' + 'c'.repeat(59);
const ENV = 'GITHUB_TOKEN';
const READ = 'os.environ.get("GITHUB_TOKEN", "")';
const READ1 = "os.environ.get('GITHUB_TOKEN', '')";
const R = REDACTED_TOKEN_TEXT;

const rewrite = (source: string): string => replaceTokensInPythonSource(source, ENV, trans).source;

describe('replaceTokensInPythonSource: string literals', () => {
  it('replaces a literal that is exactly a token', () => {
    expect(replaceTokensInPythonSource(`token = "${T}"`, ENV, trans)).toEqual({
      source: `import os\ntoken = ${READ}`,
      replaced: 1,
      redacted: 0
    });
    expect(rewrite(`token = '${PAT}'`)).toBe(`import os\ntoken = ${READ}`);
    expect(rewrite(`token = r'${T}'`)).toBe(`import os\ntoken = ${READ}`);
    expect(rewrite(`token = U"${T}"`)).toBe(`import os\ntoken = ${READ}`);
    expect(rewrite(`token = """${T}"""`)).toBe(`import os\ntoken = ${READ}`);
  });

  it('splits a literal holding a token and other text', () => {
    expect(rewrite(`url = 'https://x:${T}@github.com/o/r.git'`)).toBe(
      `import os\nurl = 'https://x:' + ${READ} + '@github.com/o/r.git'`
    );
    expect(rewrite(`h = {"Authorization": "token ${T}"}`)).toBe(`import os\nh = {"Authorization": "token " + ${READ}}`);
    expect(rewrite(`s = "${T} trailing"`)).toBe(`import os\ns = ${READ} + " trailing"`);
    expect(rewrite(`s = r'C:\\x ${T} y'`)).toBe(`import os\ns = r'C:\\x ' + ${READ} + r' y'`);
    expect(rewrite(`s = u'a${'-'}${T}'`)).toBe(`import os\ns = u'a-' + ${READ}`);
  });

  it('splits around several tokens in one literal', () => {
    expect(replaceTokensInPythonSource(`s = "a ${T} b ${T2} c"`, ENV, trans)).toEqual({
      source: `import os\ns = "a " + ${READ} + " b " + ${READ} + " c"`,
      replaced: 2,
      redacted: 0
    });
    expect(rewrite(`s = "${T}:${T2}"`)).toBe(`import os\ns = ${READ} + ":" + ${READ}`);
  });

  it('handles triple-quoted literals containing #, quotes and newlines', () => {
    expect(rewrite(`s = '''\n# not a comment ${T}\nend'''`)).toBe(
      `import os\ns = '''\n# not a comment ''' + ${READ} + '''\nend'''`
    );
    // A part ending with the quote character is escaped so it cannot merge
    // with the closing quotes.
    expect(rewrite(`s = """say "${T}" ok"""`)).toBe(`import os\ns = """say \\"""" + ${READ} + """" ok"""`);
    expect(rewrite(`s = r"""say "${T}" ok"""`)).toBe(`import os\ns = r"""say """ + '"' + ${READ} + r"""" ok"""`);
  });

  it('keeps escaped quotes and # inside literals', () => {
    expect(rewrite(`s = "esc \\" # ${T}"  # it's`)).toBe(`import os\ns = "esc \\" # " + ${READ}  # it's`);
    expect(rewrite(`s = 'it\\'s ${T}'`)).toBe(`import os\ns = 'it\\'s ' + ${READ}`);
  });

  it('keeps a backslash that preceded the token', () => {
    expect(rewrite(`p = 'C:\\\\dir\\${T}'`)).toBe(`import os\np = 'C:\\\\dir\\\\' + ${READ}`);
    expect(rewrite(`p = r'C:\\dir\\${T}'`)).toBe(`import os\np = r'C:\\dir' + '\\\\' + ${READ}`);
  });

  it('adds + between implicitly concatenated literals', () => {
    expect(rewrite(`s = "a" "${T}"`)).toBe(`import os\ns = "a" + ${READ}`);
    expect(rewrite(`s = ("a"  # c\n     "${T}" 'z')`)).toBe(`import os\ns = ("a" +  # c\n     ${READ} + 'z')`);
    expect(rewrite(`s = "a" \\\n    "b ${T}"`)).toBe(`import os\ns = "a" + \\\n    "b " + ${READ}`);
    expect(rewrite(`s = 1.5 * \\\r\n    "b ${T}"`)).toBe(`import os\r\ns = 1.5 * \\\r\n    ("b " + ${READ})`);
  });

  it('parenthesises when a neighbour binds tighter than +', () => {
    expect(rewrite(`s = "pre ${T}".strip()`)).toBe(`import os\ns = ("pre " + ${READ}).strip()`);
    expect(rewrite(`s = "%s" % "pre ${T}"`)).toBe(`import os\ns = "%s" % ("pre " + ${READ})`);
    expect(rewrite(`s = 2 * "${T} y"`)).toBe(`import os\ns = 2 * (${READ} + " y")`);
    expect(rewrite(`s = "${T} y"[0]`)).toBe(`import os\ns = (${READ} + " y")[0]`);
    expect(rewrite(`s = "${T}" "c".upper()`)).toBe(`import os\ns = (${READ} + "c").upper()`);
    // An environment read alone needs no parentheses.
    expect(rewrite(`s = "${T}".strip()`)).toBe(`import os\ns = ${READ}.strip()`);
    expect(rewrite(`s = x + "a ${T}" == y`)).toBe(`import os\ns = x + "a " + ${READ} == y`);
  });

  it('replaces tokens in literals nested in f-string fields', () => {
    expect(rewrite(`s = f"{'a ${T} b'.upper()}"`)).toBe(`import os\ns = f"{('a ' + ${READ1} + ' b').upper()}"`);
    expect(rewrite(`s = f'{"${T}"}'`)).toBe(`import os\ns = f'{${READ}}'`);
  });
});

describe('replaceTokensInPythonSource: f-strings', () => {
  it('inserts a field with the quote the f-string does not use', () => {
    expect(rewrite(`s = f"token {x} ${T} end"`)).toBe(`import os\ns = f"token {x} {${READ1}} end"`);
    expect(rewrite(`s = f'a ${T}'`)).toBe(`import os\ns = f'a {${READ}}'`);
    expect(rewrite(`s = F'${T}'`)).toBe(`import os\ns = F'{${READ}}'`);
    expect(rewrite(`s = f"""a\n${T}"""`)).toBe(`import os\ns = f"""a\n{${READ1}}"""`);
    expect(rewrite(`s = f'''${T}'''`)).toBe(`import os\ns = f'''{${READ}}'''`);
  });

  it('handles raw f-strings, conversions, specs and doubled braces', () => {
    expect(rewrite(`s = rf"${T}" + fR'${T}'`)).toBe(`import os\ns = rf"{${READ1}}" + fR'{${READ}}'`);
    expect(rewrite(`s = f'{x!r:>10} ${T}'`)).toBe(`import os\ns = f'{x!r:>10} {${READ}}'`);
    expect(rewrite(`s = f"{{ ${T} }}"`)).toBe(`import os\ns = f"{{ {${READ1}} }}"`);
    expect(rewrite(`s = f"{d['k']}${T}"`)).toBe(`import os\ns = f"{d['k']}{${READ1}}"`);
  });

  it('does not take escapes for fields', () => {
    expect(rewrite(`s = f"\\N{EM DASH} ${T}"`)).toBe(`import os\ns = f"\\N{EM DASH} {${READ1}}"`);
    expect(rewrite(`s = f"\\{x} ${T}"`)).toBe(`import os\ns = f"\\{x} {${READ1}}"`);
    expect(rewrite(`s = rf"\\N{x} ${T}"`)).toBe(`import os\ns = rf"\\N{x} {${READ1}}"`);
  });

  it('keeps a backslash that preceded the token', () => {
    expect(rewrite(`s = f'\\${T}'`)).toBe(`import os\ns = f'\\\\{${READ}}'`);
    expect(rewrite(`s = rf'\\${T}'`)).toBe(`import os\ns = rf'\\{${READ}}'`);
  });
});

describe('replaceTokensInPythonSource: redaction', () => {
  it('redacts tokens in comments, including comments with quotes', () => {
    expect(replaceTokensInPythonSource(`# don't use ${T}\nx = 1`, ENV, trans)).toEqual({
      source: `# don't use ${R}\nx = 1`,
      replaced: 0,
      redacted: 1
    });
    // The quote in the comment does not open a string: the next line is code.
    expect(replaceTokensInPythonSource(`# it's "${T}\nt = "${T2}"`, ENV, trans)).toEqual({
      source: `import os\n# it's "${R}\nt = ${READ}`,
      replaced: 1,
      redacted: 1
    });
  });

  it('redacts tokens in bytes and template literals', () => {
    expect(replaceTokensInPythonSource(`s = b'${T}' + rb"${T}" + Br'x ${T}'`, ENV, trans)).toEqual({
      source: `s = b'${R}' + rb"${R}" + Br'x ${R}'`,
      replaced: 0,
      redacted: 3
    });
    expect(rewrite(`s = t"${T}"`)).toBe(`s = t"${R}"`);
  });

  it('redacts IPython shell and magic lines', () => {
    expect(rewrite(`!git clone "https://${T}@github.com/o/r"\nx = 1`)).toBe(
      `!git clone "https://${R}@github.com/o/r"\nx = 1`
    );
    expect(rewrite(`files = !git ls-remote 'https://${T}@github.com/o/r'`)).toBe(
      `files = !git ls-remote 'https://${R}@github.com/o/r'`
    );
    expect(rewrite(`%env GITHUB_TOKEN=${T}`)).toBe(`%env GITHUB_TOKEN=${R}`);
    expect(rewrite(`%set_env A="${T}" \\\n  B='${T}'`)).toBe(`%set_env A="${R}" \\\n  B='${R}'`);
    expect(replaceTokensInPythonSource(`if True:\n    !echo "${T}"\n    y = "${T}"`, ENV, trans)).toEqual({
      source: `import os\nif True:\n    !echo "${R}"\n    y = ${READ}`,
      replaced: 1,
      redacted: 1
    });
  });

  it('only redacts cell magic cells', () => {
    expect(
      replaceTokensInPythonSource(`%%bash\ngit clone "https://${T}@github.com/o/r"\nx = "${T}"`, ENV, trans)
    ).toEqual({
      source: `%%bash\ngit clone "https://${R}@github.com/o/r"\nx = "${R}"`,
      replaced: 0,
      redacted: 2
    });
    expect(rewrite(`\n  %%capture\nx = "${T}"`)).toBe(`\n  %%capture\nx = "${R}"`);
  });

  it('redacts tokens outside literals and in unterminated literals', () => {
    expect(rewrite(`${T} = 1`)).toBe(`${R} = 1`);
    expect(rewrite(`print("unterminated ${T}\nx = 1`)).toBe(`print("unterminated ${R}\nx = 1`);
    expect(rewrite(`s = """never closed ${T}`)).toBe(`s = """never closed ${R}`);
    expect(rewrite(`s = f"{x ${T}}"`)).toBe(`s = f"{x ${R}}"`);
  });

  it('counts env reads and redactions separately', () => {
    const source = `# ${T}\na = "${T}"\nb = f"x{1}${T2}"\nc = b"${T3}"\n!echo ${PAT}`;
    expect(replaceTokensInPythonSource(source, ENV, trans)).toEqual({
      source: `import os\n# ${R}\na = ${READ}\nb = f"x{1}{${READ1}}"\nc = b"${R}"\n!echo ${R}`,
      replaced: 2,
      redacted: 3
    });
  });
});

describe('replaceTokensInPythonSource: import os', () => {
  it.each([
    'import os',
    'import os.path',
    'import sys, os',
    'import os, sys',
    'import os as os',
    '  import os',
    'x = 1; import os',
    'import os  # for env'
  ])('does not add an import after %p', line => {
    expect(rewrite(`${line}\nt = "${T}"`)).toBe(`${line}\nt = ${READ}`);
  });

  it.each([
    'import os as o',
    'from os import environ',
    'import osx',
    '# import os',
    's = """\nimport os\n"""',
    'x = "import os"'
  ])('adds an import despite %p', text => {
    expect(rewrite(`${text}\nt = "${T}"`)).toBe(`import os\n${text}\nt = ${READ}`);
  });

  it('adds no import when only redacting', () => {
    expect(rewrite(`# ${T}`)).toBe(`# ${R}`);
  });

  it('keeps a shebang, an encoding comment and __future__ imports first', () => {
    expect(rewrite(`#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nt = "${T}"`)).toBe(
      `#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport os\nt = ${READ}`
    );
    expect(rewrite(`# coding=latin-1\nt = "${T}"`)).toBe(`# coding=latin-1\nimport os\nt = ${READ}`);
    expect(rewrite(`from __future__ import annotations\nt = "${T}"`)).toBe(
      `from __future__ import annotations\nimport os\nt = ${READ}`
    );
    expect(
      rewrite(
        `"""Doc."""\n# c\nfrom __future__ import annotations\nfrom __future__ import (\n    division,\n)\n\nt = "${T}"`
      )
    ).toBe(
      `"""Doc."""\n# c\nfrom __future__ import annotations\nfrom __future__ import (\n    division,\n)\nimport os\n\nt = ${READ}`
    );
    // A first-line comment that is not a shebang or encoding stays below.
    expect(rewrite(`# setup\nt = "${T}"`)).toBe(`import os\n# setup\nt = ${READ}`);
  });

  it('keeps CRLF line endings', () => {
    expect(rewrite(`t = "${T}"\r\ny = 2\r\n`)).toBe(`import os\r\nt = ${READ}\r\ny = 2\r\n`);
  });
});

describe('replaceTokensInPythonSource: validation and limits', () => {
  it('validates the environment variable name before anything else', () => {
    for (const name of ['', 'PATH', 'GIT_ASKPASS', 'A-B', "X'); import os", T]) {
      expect(() => replaceTokensInPythonSource('x = 1', name, trans)).toThrow(UnsafeKernelInputError);
      let message = '';
      try {
        replaceTokensInPythonSource(`x = "${T2}"`, name, trans);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(T2);
      expect(message).not.toContain(T);
    }
  });

  it('uses the given name', () => {
    expect(rewrite(`t = "${T}"`)).toContain('GITHUB_TOKEN');
    expect(replaceTokensInPythonSource(`t = "${T}"`, 'GH_TOKEN', trans).source).toBe(
      'import os\nt = os.environ.get("GH_TOKEN", "")'
    );
  });

  it('returns the source unchanged without tokens', () => {
    const source = 'x = "ghp_short"  # ' + 'y' + T;
    expect(replaceTokensInPythonSource(source, ENV, trans)).toEqual({ source, replaced: 0, redacted: 0 });
  });

  it('never leaves a token behind', () => {
    const nasty = [
      `x = f"{f'{y}'}" + "${T}"`,
      `x = (\n"${T}"\n"${T2}"\n)`,
      `def f(a="${T}", *, b=f'{"${T2}"!s}'):\n    """Doc ${T3}."""\n    return a  # ${PAT}`,
      `x = [${T}, '${T}', "${T}", b"${T}", f"${T}", r"${T}", """${T}""", '''${T}''']`,
      `"${T}`,
      `'''${T}`,
      `f"{${T}`,
      `f"{x:{${T}}}"`
    ];
    for (const source of nasty) {
      const result = replaceTokensInPythonSource(source, ENV, trans);
      expect(findTokens(result.source)).toEqual([]);
      expect(result.replaced + result.redacted).toBe(findTokens(source).length);
    }
  });

  it('runs in linear time on 1 MB sources', () => {
    const size = 1 << 20;
    for (const filler of [
      '"'.repeat(size),
      "'''".repeat(size / 3),
      'f"{'.repeat(size / 3),
      'f"{x:'.repeat(size / 5),
      '('.repeat(size),
      '\\'.repeat(size),
      'a = 1\n'.repeat(size / 6),
      '!x \\\n'.repeat(size / 5),
      `s = "${T}"\n`.repeat(size / 48)
    ]) {
      const source = `${filler}\nt = "${T}"`;
      let result = { source: '', replaced: 0, redacted: 0 };
      expect(timed(() => (result = replaceTokensInPythonSource(source, ENV, trans)))).toBeLessThan(5000);
      expect(findTokens(result.source)).toEqual([]);
    }
  });
});

describe('the lexer on 4 MB adversarial cells', () => {
  // The time bound is in test/bench/lexer_bench.js; this checks the results
  // (with a timeout for slow, shared machines, not a measure).
  jest.setTimeout(120_000);
  const cells: Array<{ name: string; source: string; expected: string }> = adversarialCells(VALID);

  it.each(cells.map(cell => [cell.name, cell]))('%s', (_name, cell) => {
    const { source, expected } = cell as (typeof cells)[number];
    expect(source.length).toBeGreaterThanOrEqual(4 << 20);
    const result = replaceTokensInPythonSource(source, ENV, trans);
    expect(result.source.includes(VALID)).toBe(false);
    // Compared as booleans: a failing diff of 4 MB strings is unreadable.
    expect(result.source === expected).toBe(true);
    expect(pythonStatementLines(source)).toHaveLength(source.split('\n').length);
  });
});

describe('the lexer: named escapes in f-strings', () => {
  it('lasts to the next } or the end of the literal, like CPython', () => {
    expect(rewrite(`s = f"\\N{EM DASH}{x} ${VALID}"`)).toBe(`import os\ns = f"\\N{EM DASH}{x} {${READ1}}"`);
    // Unterminated: the closing quote still ends the literal.
    expect(rewrite(`s = f"\\N{ ${VALID}"\nt = "${VALID}"`)).toBe(`import os\ns = f"\\N{ {${READ1}}"\nt = ${READ}`);
    expect(rewrite(`s = f'''\\N{\n'''\nt = "${VALID}"`)).toBe(`import os\ns = f'''\\N{\n'''\nt = ${READ}`);
    // `\}` ends it too (the backslash stays in the text).
    expect(rewrite(`s = f"\\N{x\\}{y} ${VALID}"`)).toBe(`import os\ns = f"\\N{x\\}{y} {${READ1}}"`);
  });
});

describe('replaceTokensInPythonSource: implicitly concatenated literals', () => {
  it('rewrites a group holding the token in a plain literal and an f-string', () => {
    expect(rewrite(`s = "a ${VALID}" f"b ${VALID}"`)).toBe(`import os\ns = "a " + ${READ} + f"b {${READ1}}"`);
    expect(rewrite(`s = f'{x}${VALID}' "${VALID}"`)).toBe(`import os\ns = f'{x}{${READ}}' + ${READ}`);
    expect(rewrite(`s = ("${VALID}"\n     f"""{x}\n${VALID}""")`)).toBe(
      `import os\ns = (${READ} +\n     f"""{x}\n{${READ1}}""")`
    );
  });

  it('keeps the edits of comments inside a group', () => {
    expect(rewrite(`s = ("a"  # ${VALID}\n     "${VALID}")`)).toBe(`import os\ns = ("a" +  # ${R}\n     ${READ})`);
  });

  it('rewrites literals in the fields of an f-string of the group', () => {
    expect(rewrite(`s = "${VALID}" f"{'a' '${VALID}'}"`)).toBe(`import os\ns = ${READ} + f"{'a' + ${READ1}}"`);
    expect(rewrite(`s = "x ${VALID}" f"{'${VALID} y'.upper()}".strip()`)).toBe(
      `import os\ns = ("x " + ${READ} + f"{(${READ1} + ' y').upper()}").strip()`
    );
  });

  it('puts import os before a group parenthesised at the same place', () => {
    expect(rewrite(`"a ${VALID}".strip()`)).toBe(`import os\n("a " + ${READ}).strip()`);
    expect(rewrite(`from __future__ import annotations\n"a ${VALID}" "b".strip()`)).toBe(
      `from __future__ import annotations\nimport os\n("a " + ${READ} + "b").strip()`
    );
  });

  it('adds import os when the only import comes after the first environment read', () => {
    expect(rewrite(`t = "${VALID}"\nimport os`)).toBe(`import os\nt = ${READ}\nimport os`);
    expect(rewrite(`import os\nt = "${VALID}"`)).toBe(`import os\nt = ${READ}`);
  });

  it('redacts a docstring that from __future__ imports follow (an expression there is refused)', () => {
    expect(
      replaceTokensInPythonSource(`"""Doc ${VALID}."""\nfrom __future__ import annotations\nt = "${VALID}"`, ENV, trans)
    ).toEqual({
      source: `"""Doc ${R}."""\nfrom __future__ import annotations\nimport os\nt = ${READ}`,
      replaced: 1,
      redacted: 1
    });
    expect(rewrite(`"""Doc ${VALID}."""\nt = 1`)).toBe(`import os\n"""Doc """ + ${READ} + """."""\nt = 1`);
  });

  it('redacts a token in an f-string whose field could take no quote', () => {
    // Before Python 3.12 an f-string nested in a single-quoted one can use
    // neither quote in its fields.
    expect(replaceTokensInPythonSource(`s = f"{f'${VALID}'}"`, ENV, trans)).toEqual({
      source: `s = f"{f'${R}'}"`,
      replaced: 0,
      redacted: 1
    });
    expect(rewrite(`s = f"{f'''${VALID}'''}"`)).toBe(`import os\ns = f"{f'''{${READ1}}'''}"`);
  });

  it('keeps tokens glued to a word right (a match may start inside a word)', () => {
    // Whether findTokens finds such a token is src/token/scan.ts's business;
    // when it does, the literal is split at the match.
    const glued = `s = "x${VALID}"`;
    const result = replaceTokensInPythonSource(glued, ENV, trans);
    if (result.replaced === 1) {
      expect(result.source).toBe(`import os\ns = "x" + ${READ}`);
    } else {
      expect(result.source).toBe(glued);
    }
  });
});

// ---------------------------------------------------------------------------
// Differential fuzz: the real Python checks the rewrite of generated cells.
// ---------------------------------------------------------------------------

/** Generates Python 3.11-valid cells with string literals of every kind, holding `token`. */
class CellGenerator {
  constructor(
    private readonly next: () => number,
    private readonly token: string
  ) {}

  /** Groups seen holding the token in a plain literal and an f-string. */
  mixedGroups = 0;

  private chance(p: number): boolean {
    return this.next() < p;
  }

  private pick<X>(items: readonly X[]): X {
    return items[Math.floor(this.next() * items.length)];
  }

  /**
   * The content of a literal; `field`: of a literal in a top-level
   * f-string's field (no backslash, `#` or outer quote there before 3.12).
   */
  private content(
    quote: string,
    triple: boolean,
    raw: boolean,
    isF: boolean,
    bytes: boolean,
    field: boolean
  ): { text: string; holds: boolean } {
    const other = quote === '"' ? "'" : '"';
    const pieces: string[] = [];
    let holds = false;
    const count = Math.floor(this.next() * 5);
    for (let p = 0; p < count; p++) {
      const roll = this.next();
      if (roll < 0.3) {
        // The token, after something that is not a word character.
        holds = true;
        // Not glued to a word: then it would be a longer word, not a token.
        const before = this.pick([' ', ':', '@', '/', '=', '-', ...(field ? [] : ['\\\\', other])]);
        const after = this.pick([' ', '@', '/', '.', '-']);
        pieces.push(before + this.token + after);
        if (!field && !raw && !bytes && this.chance(0.05)) {
          pieces.push(`\\${this.token} `); // An invalid escape, `\g`: kept as a backslash.
        }
        if (!field && triple && this.chance(0.2)) {
          pieces.push(`${quote}${this.token} `); // A quote right before it.
        }
      } else if (roll < 0.55) {
        pieces.push(this.pick(['abc', ' ', 'x y', ':', '@', '/', '=', '-', '%s', 'Z', '0']));
        if (!field) {
          pieces.push(this.pick(['', '#', other, ' # ']));
        }
      } else if (roll < 0.7 && !field) {
        if (raw) {
          pieces.push(this.pick(['\\d', '\\\\', `\\${quote}`, '\\n']));
        } else {
          const escapes = ['\\\\', '\\n', '\\t', '\\x41', `\\${quote}`, `\\${other}`, '\\\n'];
          pieces.push(this.pick(bytes ? escapes : [...escapes, '\\u00e9', '\\N{EM DASH}']));
        }
      } else if (roll < 0.8 && triple && !field) {
        pieces.push(this.pick(['\n', '\n  ', `${quote}x`, `${quote}${quote}y`]));
      } else if (isF && !field) {
        const inner = (): string => {
          const part = this.content(other, false, false, false, false, true);
          holds ||= part.holds;
          return `${other}${part.text}${other}`;
        };
        const roll2 = this.next();
        if (roll2 < 0.35) {
          pieces.push(this.pick(['{x}', '{x!r}', '{x:>4}', '{x:{w}}', `{d[${other}k${other}]}`, '{{', '}}']));
        } else if (roll2 < 0.6) {
          pieces.push(`{${inner()}}`);
        } else if (roll2 < 0.8) {
          pieces.push(`{${inner()} ${inner()}}`);
        } else {
          pieces.push(`{(${inner()}).upper()}`);
        }
        if (this.chance(0.3)) {
          holds = true;
          pieces.push(this.pick(['{{', '}}', '{x}']) + this.token + this.pick(['{{', '}}', '{x}', ' ']));
        }
      } else {
        pieces.push('w');
      }
    }
    let text = pieces.join('');
    if (this.chance(0.2)) {
      // The token alone, or at the very start or end.
      holds = true;
      text = this.pick(['', `${this.token} `]) + this.token + this.pick(['', ` ${text}`]);
    }
    if (triple && text.endsWith(quote)) {
      text += ' '; // A quote just before the closing ones would merge with them.
    }
    return { text, holds };
  }

  /** One literal; `kind`: str or bytes. */
  private literal(bytes: boolean): { text: string; holds: boolean; isF: boolean } {
    const prefix = bytes
      ? this.pick(['b', 'B', 'rb', 'Rb', 'bR'])
      : this.pick(['', '', '', 'r', 'R', 'u', 'U', 'f', 'f', 'F', 'rf', 'fr', 'Rf', 'fR']);
    const quote = this.pick(['"', "'"]);
    const triple = this.chance(0.3);
    const isF = prefix.toLowerCase().includes('f');
    const raw = prefix.toLowerCase().includes('r');
    const { text, holds } = this.content(quote, triple, raw, isF, bytes, false);
    const quotes = triple ? quote.repeat(3) : quote;
    return { text: `${prefix}${quotes}${text}${quotes}`, holds, isF };
  }

  /** A group of implicitly concatenated literals, on one line or several (in brackets). */
  group(layout: 'line' | 'brackets' | 'backslashes'): string {
    const bytes = this.chance(0.1);
    const count = 1 + Math.floor(this.next() * 4);
    const parts: string[] = [];
    let plainHolds = false;
    let fHolds = false;
    for (let g = 0; g < count; g++) {
      const lit = this.literal(bytes);
      plainHolds ||= lit.holds && !lit.isF && !bytes;
      fHolds ||= lit.holds && lit.isF;
      parts.push(lit.text);
    }
    this.mixedGroups += plainHolds && fHolds ? 1 : 0;
    if (layout === 'line') {
      // Glued only after a prefix: `''` then `'x'` would read as `'''x'`.
      return parts
        .map((part, g) =>
          g === 0 ? part : (/^\w/.test(part) && this.chance(0.5) ? '' : this.pick([' ', '  '])) + part
        )
        .join('');
    }
    if (layout === 'backslashes') {
      return parts.join(this.pick([' \\\n    ', '\\\n']));
    }
    return parts
      .map((part, g) =>
        g === 0 ? part : this.pick(['\n    ', `  # ${this.token} it's\n    `, ' \n  ', '  # "q"\n\n    ']) + part
      )
      .join('');
  }

  /** An expression around groups. */
  private expression(name: string): string {
    const group = (): string => this.group('line');
    const roll = this.next();
    if (roll < 0.3) {
      return group();
    }
    if (roll < 0.45) {
      return `(${this.group('brackets')})`;
    }
    if (roll < 0.55) {
      return this.group('backslashes');
    }
    const str = (): string => {
      // Only str groups here, so that the operators apply.
      let text = '';
      do {
        text = group();
      } while (/^[bB]|^[rR][bB]/.test(text));
      return text;
    };
    return this.pick([
      () => `${str()} + ${str()}`,
      () => `${str()}.strip()`,
      () => `"%s" % ${str()}`,
      () => `${str()} * 2`,
      () => `2 * ${str()}`,
      () => `${str()}[1:]`,
      () => `len(${str()})`,
      () => `[${str()}, ${str()}]`,
      () => `{${str()}: ${str()}}`,
      () => `${str()} if x else ${str()}`,
      () => `str(${str()})`,
      () => `(${this.group('brackets')}).upper()`,
      () => `${name} if False else ${str()}`
    ])();
  }

  /** A cell: a preamble, then statements and comments. */
  cell(): string {
    const lines: string[] = [];
    if (this.chance(0.1)) {
      lines.push(`"""Doc ${this.token}."""`);
    }
    if (this.chance(0.1)) {
      lines.push('from __future__ import annotations');
    }
    if (this.chance(0.2)) {
      lines.push('import os');
    }
    lines.push("x = 1\nw = 5\nd = {'k': 'v'}");
    const count = 1 + Math.floor(this.next() * 4);
    for (let s = 0; s < count; s++) {
      const name = `v${s}`;
      const roll = this.next();
      if (roll < 0.1) {
        lines.push(`# note ${this.token} "it's"`);
      } else if (roll < 0.2) {
        lines.push(`def g${s}(a=${this.expression(name)}):\n    return a\n${name} = g${s}()`);
      } else if (roll < 0.3) {
        lines.push(`${name} = ${this.expression(name)}; ${name}b = ${this.expression(name)}`);
      } else {
        lines.push(`${name} = ${this.expression(name)}`);
      }
    }
    return lines.join('\n');
  }
}

/**
 * Checks each `[input, output]` pair with the Python running the tests:
 * both compile; the output has no token; the str/bytes constants of the
 * input that do not hold the token are all in the output; and executing
 * both (with the token in the environment) gives every variable the same
 * value, bytes with the token redacted.
 */
const CHECKER = String.raw`
import ast, collections, json, os, sys, warnings
warnings.simplefilter("ignore")
data = json.load(sys.stdin)
token, redacted = data["token"], data["redacted"]
os.environ["GITHUB_TOKEN"] = token

def constants(tree):
    return collections.Counter(
        node.value for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))

def expected(value):
    if isinstance(value, bytes):
        # (upper(): some cells call .upper() on the literals.)
        for t, r in ((token, redacted), (token.upper(), redacted.upper())):
            value = value.replace(t.encode(), r.encode())
        return value
    if isinstance(value, list):
        return [expected(v) for v in value]
    if isinstance(value, dict):
        return {expected(k): expected(v) for k, v in value.items()}
    return value

def run(source):
    scope = {}
    exec(compile(source, "<cell>", "exec"), scope)
    return {k: v for k, v in scope.items() if k[0] == "v"}

failures = []
for index, (source, output) in enumerate(data["cases"]):
    try:
        before = ast.parse(source)
        values = run(source)
    except Exception as error:
        failures.append([index, "invalid input: %s" % type(error).__name__])
        continue
    try:
        after = ast.parse(output)
    except SyntaxError as error:
        failures.append([index, "invalid output: %s" % error.msg])
        continue
    if token in output:
        failures.append([index, "token left"])
        continue
    kept = collections.Counter({k: n for k, n in constants(before).items()
                                if (token.encode() if isinstance(k, bytes) else token) not in k})
    if kept - constants(after):
        failures.append([index, "string values changed"])
        continue
    try:
        if run(output) != {k: expected(v) for k, v in values.items()}:
            failures.append([index, "values changed"])
    except Exception as error:
        failures.append([index, "output fails: %s" % type(error).__name__])
print(json.dumps(failures))
`;

describe('replaceTokensInPythonSource: differential fuzz against Python', () => {
  jest.setTimeout(120_000);
  it('turns valid cells into valid cells without the token, other strings unchanged', () => {
    const generator = new CellGenerator(seededRandom(20261201), VALID);
    const cases: Array<[string, string]> = [];
    for (let c = 0; c < 1500; c++) {
      const source = generator.cell();
      cases.push([source, replaceTokensInPythonSource(source, ENV, trans).source]);
    }
    expect(generator.mixedGroups).toBeGreaterThan(50);
    const run = spawnSync('python3', ['-c', CHECKER], {
      input: JSON.stringify({ token: VALID, redacted: R, cases }),
      encoding: 'utf-8',
      maxBuffer: 64 << 20
    });
    expect(run.stderr).toBe('');
    const failures: Array<[number, string]> = JSON.parse(run.stdout);
    // On failure, show a few cells (test tokens only) with what went wrong.
    const kinds: Record<string, number> = {};
    failures.forEach(([, problem]) => (kinds[problem] = (kinds[problem] ?? 0) + 1));
    const shown = failures.slice(0, 3).map(([index, problem]) => ({
      problem,
      input: cases[index][0],
      output: cases[index][1]
    }));
    expect({ failures: failures.length, kinds, shown }).toEqual({ failures: 0, kinds: {}, shown: [] });
  });
});

import { spawnSync } from 'child_process';

import { pythonStatementLines } from '../../../src/python/lexer';
import { replaceTokensInPythonSource } from '../../../src/python/rewrite';
import { REDACTED_TOKEN_TEXT } from '../../../src/token/scan';
import { crc32, toBase62 } from '../../../src/token/checksum';
import { trans } from '../support/trans';

const { adversarialCells } = require('../../bench/lexer_bench.shapes.js');

/** A test token with a valid checksum (made up here, never a real one). */
function makeToken(prefix: string, seed: string): string {
  const payload = (seed + '0123456789abcdefghijklmnopqrstuvwxyz').slice(0, 30);
  return `${prefix}${payload}${toBase62(crc32(payload), 6)}`;
}

const T = makeToken('ghp_', 'RewriteSpec');
const ENV = 'GITHUB_TOKEN';
const READ = 'os.environ.get("GITHUB_TOKEN", "")';
const READ1 = "os.environ.get('GITHUB_TOKEN', '')";
const R = REDACTED_TOKEN_TEXT;

const rewrite = (source: string): string => replaceTokensInPythonSource(source, ENV, trans).source;

describe('the lexer on 4 MB adversarial cells', () => {
  // The time bound is in test/bench/lexer_bench.js; this checks the results
  // (with a timeout for slow, shared machines, not a measure).
  jest.setTimeout(120_000);
  const cells: Array<{ name: string; source: string; expected: string }> = adversarialCells(T);

  it.each(cells.map(cell => [cell.name, cell]))('%s', (_name, cell) => {
    const { source, expected } = cell as (typeof cells)[number];
    expect(source.length).toBeGreaterThanOrEqual(4 << 20);
    const result = replaceTokensInPythonSource(source, ENV, trans);
    expect(result.source.includes(T)).toBe(false);
    // Compared as booleans: a failing diff of 4 MB strings is unreadable.
    expect(result.source === expected).toBe(true);
    expect(pythonStatementLines(source)).toHaveLength(source.split('\n').length);
  });
});

describe('the lexer: named escapes in f-strings', () => {
  it('lasts to the next } or the end of the literal, like CPython', () => {
    expect(rewrite(`s = f"\\N{EM DASH}{x} ${T}"`)).toBe(`import os\ns = f"\\N{EM DASH}{x} {${READ1}}"`);
    // Unterminated: the closing quote still ends the literal.
    expect(rewrite(`s = f"\\N{ ${T}"\nt = "${T}"`)).toBe(`import os\ns = f"\\N{ {${READ1}}"\nt = ${READ}`);
    expect(rewrite(`s = f'''\\N{\n'''\nt = "${T}"`)).toBe(`import os\ns = f'''\\N{\n'''\nt = ${READ}`);
    // `\}` ends it too (the backslash stays in the text).
    expect(rewrite(`s = f"\\N{x\\}{y} ${T}"`)).toBe(`import os\ns = f"\\N{x\\}{y} {${READ1}}"`);
  });
});

describe('replaceTokensInPythonSource: implicitly concatenated literals', () => {
  it('rewrites a group holding the token in a plain literal and an f-string', () => {
    expect(rewrite(`s = "a ${T}" f"b ${T}"`)).toBe(`import os\ns = "a " + ${READ} + f"b {${READ1}}"`);
    expect(rewrite(`s = f'{x}${T}' "${T}"`)).toBe(`import os\ns = f'{x}{${READ}}' + ${READ}`);
    expect(rewrite(`s = ("${T}"\n     f"""{x}\n${T}""")`)).toBe(
      `import os\ns = (${READ} +\n     f"""{x}\n{${READ1}}""")`
    );
  });

  it('keeps the edits of comments inside a group', () => {
    expect(rewrite(`s = ("a"  # ${T}\n     "${T}")`)).toBe(`import os\ns = ("a" +  # ${R}\n     ${READ})`);
  });

  it('rewrites literals in the fields of an f-string of the group', () => {
    expect(rewrite(`s = "${T}" f"{'a' '${T}'}"`)).toBe(`import os\ns = ${READ} + f"{'a' + ${READ1}}"`);
    expect(rewrite(`s = "x ${T}" f"{'${T} y'.upper()}".strip()`)).toBe(
      `import os\ns = ("x " + ${READ} + f"{(${READ1} + ' y').upper()}").strip()`
    );
  });

  it('puts import os before a group parenthesised at the same place', () => {
    expect(rewrite(`"a ${T}".strip()`)).toBe(`import os\n("a " + ${READ}).strip()`);
    expect(rewrite(`from __future__ import annotations\n"a ${T}" "b".strip()`)).toBe(
      `from __future__ import annotations\nimport os\n("a " + ${READ} + "b").strip()`
    );
  });

  it('adds import os when the only import comes after the first environment read', () => {
    expect(rewrite(`t = "${T}"\nimport os`)).toBe(`import os\nt = ${READ}\nimport os`);
    expect(rewrite(`import os\nt = "${T}"`)).toBe(`import os\nt = ${READ}`);
  });

  it('redacts a docstring that from __future__ imports follow (an expression there is refused)', () => {
    expect(
      replaceTokensInPythonSource(`"""Doc ${T}."""\nfrom __future__ import annotations\nt = "${T}"`, ENV, trans)
    ).toEqual({
      source: `"""Doc ${R}."""\nfrom __future__ import annotations\nimport os\nt = ${READ}`,
      replaced: 1,
      redacted: 1
    });
    expect(rewrite(`"""Doc ${T}."""\nt = 1`)).toBe(`import os\n"""Doc """ + ${READ} + """."""\nt = 1`);
  });

  it('redacts a token in an f-string whose field could take no quote', () => {
    // Before Python 3.12 an f-string nested in a single-quoted one can use
    // neither quote in its fields.
    expect(replaceTokensInPythonSource(`s = f"{f'${T}'}"`, ENV, trans)).toEqual({
      source: `s = f"{f'${R}'}"`,
      replaced: 0,
      redacted: 1
    });
    expect(rewrite(`s = f"{f'''${T}'''}"`)).toBe(`import os\ns = f"{f'''{${READ1}}'''}"`);
  });

  it('keeps tokens glued to a word right (a match may start inside a word)', () => {
    // Whether findTokens finds such a token is tokenScan's business; when it
    // does, the literal is split at the match.
    const glued = `s = "x${T}"`;
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
import { seededRandom } from '../support/testing';

describe('replaceTokensInPythonSource: differential fuzz against Python', () => {
  jest.setTimeout(120_000);
  it('turns valid cells into valid cells without the token, other strings unchanged', () => {
    const generator = new CellGenerator(seededRandom(20261201), T);
    const cases: Array<[string, string]> = [];
    for (let c = 0; c < 1500; c++) {
      const source = generator.cell();
      cases.push([source, replaceTokensInPythonSource(source, ENV, trans).source]);
    }
    expect(generator.mixedGroups).toBeGreaterThan(50);
    const run = spawnSync('python3', ['-c', CHECKER], {
      input: JSON.stringify({ token: T, redacted: R, cases }),
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

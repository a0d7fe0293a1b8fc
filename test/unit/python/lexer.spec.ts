import { IPyToken, isCellMagicSource, PyLexer, pythonStatementLines } from '../../../src/python/lexer';

/** The top-level tokens of `source` as `type:text`. */
function tokens(source: string): string[] {
  return new PyLexer(source).streams[0].map(
    (token: IPyToken) => `${token.type}:${source.slice(token.start, token.end)}`
  );
}

/** The regions of `source` as `kind:text`. */
function regions(source: string): string[] {
  return new PyLexer(source).regions.map(region => `${region.kind}:${source.slice(region.start, region.end)}`);
}

describe('PyLexer: tokens', () => {
  it('gives names, numbers, one-character operators, strings and top-level newlines', () => {
    expect(tokens('x: str = os.environ.get("A", \'\')  # c\ny == 1.5')).toEqual([
      'name:x',
      'op::',
      'name:str',
      'op:=',
      'name:os',
      'op:.',
      'name:environ',
      'op:.',
      'name:get',
      'op:(',
      'string:"A"',
      'op:,',
      "string:''",
      'op:)',
      'newline:\n',
      'name:y',
      'op:=',
      'op:=',
      'number:1.5'
    ]);
  });

  it('emits no newline inside brackets or after a backslash continuation', () => {
    expect(tokens('f(a,\n  b)\nc = 1 + \\\n  2')).toEqual([
      'name:f',
      'op:(',
      'name:a',
      'op:,',
      'name:b',
      'op:)',
      'newline:\n',
      'name:c',
      'op:=',
      'number:1',
      'op:+',
      'number:2'
    ]);
  });

  it('keeps the code of f-string fields out of the top-level stream', () => {
    const source = 'f"{d[0]!r:>{w}}" + x';
    const lexer = new PyLexer(source);
    expect(tokens(source)).toEqual(['string:f"{d[0]!r:>{w}}"', 'op:+', 'name:x']);
    // The cell, the field and the nested field of its format spec.
    expect(lexer.streams).toHaveLength(3);
    // `!r`: the conversion's name is a token of the field.
    expect(lexer.streams[1].map(token => source.slice(token.start, token.end))).toEqual(['d', '[', '0', ']', 'r']);
    expect(lexer.streams[2].map(token => source.slice(token.start, token.end))).toEqual(['w']);
  });

  it('takes non-ASCII letters as part of names', () => {
    expect(tokens('gïthub_token = 1')).toEqual(['name:gïthub_token', 'op:=', 'number:1']);
  });
});

describe('PyLexer: string literals', () => {
  /** The one literal of `source`. */
  function literal(source: string) {
    const [token] = new PyLexer(source).streams[0];
    const lit = token.literal!;
    return {
      text: source.slice(lit.start, lit.end),
      prefix: lit.prefix,
      kind: lit.kind,
      raw: lit.raw,
      triple: lit.triple,
      terminated: lit.terminated,
      content: source.slice(lit.contentStart, lit.contentEnd)
    };
  }

  it.each([
    ['"a"', '', 'plain', false],
    ["u'a'", 'u', 'plain', false],
    ['R"a"', 'R', 'plain', true],
    ['b"a"', 'b', 'bytes', false],
    ['Rb"a"', 'Rb', 'bytes', true],
    ['f"a"', 'f', 'f', false],
    ['rF"a"', 'rF', 'f', true],
    ['t"a"', 't', 'other', false]
  ])('classifies %s', (source, prefix, kind, raw) => {
    expect(literal(source)).toEqual({ text: source, prefix, kind, raw, triple: false, terminated: true, content: 'a' });
  });

  it('keeps escaped quotes (raw strings too) and reads triple quotes', () => {
    expect(literal(String.raw`'it\'s'`).content).toBe(String.raw`it\'s`);
    expect(literal(String.raw`r'a\'b'`).content).toBe(String.raw`a\'b`);
    expect(literal('"""a\n"b"\n"""')).toMatchObject({ triple: true, terminated: true, content: 'a\n"b"\n' });
  });

  it('ends an unterminated literal at the end of its line (of the source for triple quotes)', () => {
    expect(literal('"abc\nx = 1')).toMatchObject({ text: '"abc', terminated: false, content: 'abc' });
    expect(literal("'''abc\nx = 1")).toMatchObject({ terminated: false, content: 'abc\nx = 1' });
  });

  it('does not take a word that is not a prefix for one', () => {
    expect(tokens('x"a"')).toEqual(['name:x', 'string:"a"']);
  });
});

describe('PyLexer: regions', () => {
  it('marks literal text, comments, IPython lines and format specs', () => {
    expect(regions('a = "s"  # c\n!ls "x"\nf"t{x:>4}u"\nfiles = %sx ls')).toEqual([
      'literal:s',
      'comment:# c',
      'magic:!ls "x"',
      'literal:t',
      'format-spec:>4',
      'literal:u',
      'magic:files = %sx ls'
    ]);
  });

  it('does not take # in a literal or quotes in a comment for anything else', () => {
    expect(regions(`s = "# no" # it's "x"\n'y'`)).toEqual(['literal:# no', `comment:# it's "x"`, 'literal:y']);
  });
});

describe('statement lines', () => {
  it('keeps statement starts after continued magic lines', () => {
    expect(pythonStatementLines('!a \\\n b\\\r\nc\nd = 1')).toEqual([true, false, false, true]);
  });

  it('is what the lexer says for each line', () => {
    const source = 'a = (\n1)\nb = """\n"""\n  c = 1\n';
    expect(new PyLexer(source).statementLines()).toEqual(pythonStatementLines(source));
    expect(pythonStatementLines(source)).toEqual([true, false, true, false, true, false]);
  });

  it('starts no statement in a string, in brackets or after a backslash', () => {
    const source = [
      'a = 1', // 0
      's = """', // 1 (starts a statement)
      'b = 2', // 2 (in a string)
      '"""', // 3
      'f(', // 4
      'c = 3)', // 5 (in brackets)
      'd = 4 + \\', // 6
      'e', // 7 (continued)
      '    g = 5', // 8
      '# comment', // 9
      'h = "#"' // 10
    ].join('\n');
    expect(pythonStatementLines(source)).toEqual([
      true,
      true,
      false,
      false,
      true,
      false,
      true,
      false,
      true,
      true,
      true
    ]);
  });
});

describe('isCellMagicSource', () => {
  it('is true only when the first non-blank line starts with %%', () => {
    expect(isCellMagicSource('%%time\nx = 1')).toBe(true);
    expect(isCellMagicSource('  \n\t%%writefile a.py\n')).toBe(true);
    expect(isCellMagicSource('# %%bash\nx = 1')).toBe(false);
    expect(isCellMagicSource('!ls\n%%bash')).toBe(false);
    expect(isCellMagicSource('')).toBe(false);
  });

  it('is false for a line magic, a later %% and non-strings', () => {
    expect(isCellMagicSource('%%bash\nls')).toBe(true);
    expect(isCellMagicSource('\n  %%time\nx')).toBe(true);
    expect(isCellMagicSource('%time x')).toBe(false);
    expect(isCellMagicSource('x = 1\n%%bash')).toBe(false);
    expect(isCellMagicSource(undefined as unknown as string)).toBe(false);
  });
});

import { UnsafeKernelInputError } from '../../../src/kernel/validation';
import { trans } from '../support/trans';
import {
  fieldNameMatches,
  findAssignmentCandidates,
  IAssignmentCandidate,
  rewriteAssignmentToEnvRead,
  rewriteAssignmentToLiteral
} from '../../../src/notebook/fields';

// Clearly fake tokens.
const T = 'ghp_' + 'A'.repeat(32) + 'wxyz';
const PAT = 'github_pat_' + 'B'.repeat(22) + '_' + 'c'.repeat(55) + '9876';
const FIELD = 'GitHub-token';
const READ = 'os.environ.get("GITHUB_TOKEN", "")';

/** One code cell. */
const code = (source: string) => ({ cellType: 'code', source });

/** Run `fn` and return what it threw. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('fieldNameMatches', () => {
  it.each([
    '*Personal Access Token:',
    'GitHub-token',
    'github_token',
    'GITHUB_TOKEN',
    'Your GitHub token:',
    'GH_TOKEN',
    'gh_token',
    'my_github_pat',
    'GitHub PAT',
    'personal-access-token',
    'GithubToken2'
  ])('%p names the default field', text => {
    expect(fieldNameMatches(text, FIELD)).toBe(true);
  });

  it.each(['Repository URL', 'token', 'Token:', 'password', 'GitHub user', 'api_key', '', '   ', 'git hub'])(
    '%p does not',
    text => {
      expect(fieldNameMatches(text, FIELD)).toBe(false);
    }
  );

  it('uses the configured field name, loosely', () => {
    expect(fieldNameMatches('deploy_key', 'Deploy key')).toBe(true);
    expect(fieldNameMatches('*Deploy Key:', 'deploy-key')).toBe(true);
    expect(fieldNameMatches('deploy', 'Deploy key')).toBe(false);
    // The usual names still apply with another field name.
    expect(fieldNameMatches('GITHUB_TOKEN', 'Deploy key')).toBe(true);
  });

  it('ignores a field name without letters or digits', () => {
    for (const field of ['', '   ', '---', '_']) {
      expect(fieldNameMatches('anything', field)).toBe(false);
      expect(fieldNameMatches('github_token', field)).toBe(true);
    }
  });

  it('is false for non-strings', () => {
    expect(fieldNameMatches(undefined as unknown as string, FIELD)).toBe(false);
    expect(fieldNameMatches(null as unknown as string, null as unknown as string)).toBe(false);
  });
});

describe('findAssignmentCandidates', () => {
  it('finds the usual shapes, with what they hold', () => {
    const source = [
      'import os', // 0
      'github_token = ""  # @param {type:"string"}', // 1
      `GITHUB_TOKEN: str = "${T}"`, // 2
      "GH_TOKEN = 'paste your token here'", // 3
      'github_pat = os.environ.get("GITHUB_TOKEN", "")', // 4
      "personal_access_token = os.environ['GH_TOKEN']", // 5
      'GitHubToken=os.getenv("GITHUB_TOKEN")', // 6
      "github_token2 = r''", // 7
      `GITHUB_TOKEN_2 = u'${PAT}'  # fine-grained`, // 8
      "GH_TOKEN = 'it\\'s here'" // 9
    ].join('\n');
    expect(findAssignmentCandidates([code(source)], FIELD)).toEqual<IAssignmentCandidate[]>([
      {
        cellIndex: 0,
        line: 1,
        variable: 'github_token',
        current: 'empty',
        preview: 'github_token = ""  # @param {type:"string"}'
      },
      {
        cellIndex: 0,
        line: 2,
        variable: 'GITHUB_TOKEN',
        current: 'token',
        preview: 'GITHUB_TOKEN: str = "ghp_...wxyz"'
      },
      {
        cellIndex: 0,
        line: 3,
        variable: 'GH_TOKEN',
        current: 'other',
        preview: "GH_TOKEN = 'paste your token here'"
      },
      {
        cellIndex: 0,
        line: 4,
        variable: 'github_pat',
        current: 'env',
        preview: 'github_pat = os.environ.get("GITHUB_TOKEN", "")'
      },
      {
        cellIndex: 0,
        line: 5,
        variable: 'personal_access_token',
        current: 'env',
        preview: "personal_access_token = os.environ['GH_TOKEN']"
      },
      {
        cellIndex: 0,
        line: 6,
        variable: 'GitHubToken',
        current: 'env',
        preview: 'GitHubToken=os.getenv("GITHUB_TOKEN")'
      },
      {
        cellIndex: 0,
        line: 7,
        variable: 'github_token2',
        current: 'empty',
        preview: "github_token2 = r''"
      },
      {
        cellIndex: 0,
        line: 8,
        variable: 'GITHUB_TOKEN_2',
        current: 'token',
        preview: "GITHUB_TOKEN_2 = u'github_pat_...9876'  # fine-grained"
      },
      {
        cellIndex: 0,
        line: 9,
        variable: 'GH_TOKEN',
        current: 'other',
        preview: "GH_TOKEN = 'it\\'s here'"
      }
    ]);
  });

  it.each(['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'])('classifies a %s token as token', prefix => {
    const token = prefix + 'x'.repeat(36);
    const [candidate] = findAssignmentCandidates([code(`github_token = "${token}"`)], FIELD);
    expect(candidate.current).toBe('token');
    expect(candidate.preview).toBe(`github_token = "${prefix}...xxxx"`);
  });

  it('classifies placeholders that only look like tokens as other', () => {
    const [candidate] = findAssignmentCandidates([code('github_token = "ghp_xxxxxxxx"')], FIELD);
    expect(candidate.current).toBe('other');
  });

  it('skips lines that are not candidate-shaped', () => {
    const source = [
      '    github_token = ""', // indented
      'if True: github_token = ""', // not a plain assignment
      'github_token = f""', // f-string
      'github_token = b""', // bytes
      'github_token = """"""', // triple quotes
      'github_token = "a" + b', // expression
      'github_token = "a" "b"', // implicit concatenation
      'github_token == ""', // comparison
      'github_token = ""; x = 1', // two statements
      'github_token = input()', // a call
      'github_token = os.environ.get("A") or ""', // more than an env read
      'github_token: int = ""', // other annotation
      'github_token = "unterminated', // unterminated
      'github_token = rb""', // raw bytes
      'github_token = environ.get("A")', // not os.
      'repository = ""', // another name
      'token = ""', // too loose alone
      '# github_token = ""', // a comment
      '!github_token = ""' // shell
    ].join('\n');
    expect(findAssignmentCandidates([code(source)], FIELD)).toEqual([]);
  });

  it('reads the parts of a line from the lexer: spacing, brackets and strings', () => {
    const source = [
      'github_token\t=\t"x"', // 0: tabs
      'github_token = os.getenv(f"{d[0]}", \'(\')', // 1: brackets inside strings
      'github_token = "a" # it\'s "quoted"', // 2: quotes in the comment
      'github_token = "#"', // 3: # in the string
      'github_token = os . getenv("A")', // 4: spaced-out env read
      'github_token =\f""', // 5: form feed
      'github_token = \\', // 6: continued
      '""', // 7
      'github_token = os.getenv(("A"))', // 8: nested brackets
      'github_token = os.environ["A")', // 9: wrong closer
      'github_token = os.getenv("A",', // 10: arguments on the next line
      '"B")', // 11
      'github_token = os.environ.get("A"' // 12: unclosed
    ].join('\n');
    expect(findAssignmentCandidates([code(source)], FIELD).map(c => [c.line, c.current])).toEqual([
      [0, 'other'],
      [1, 'env'],
      [2, 'other'],
      [3, 'other']
    ]);
  });

  it('skips lines inside strings and brackets', () => {
    const source = [
      's = """', // 0
      'github_token = ""', // 1 (in a string)
      '"""', // 2
      'connect(', // 3
      'github_token="")', // 4 (a keyword argument)
      'x = 1 + \\', // 5
      'github_token = ""', // 6 (continued)
      'github_token = ""' // 7
    ].join('\n');
    expect(findAssignmentCandidates([code(source)], FIELD).map(c => c.line)).toEqual([7]);
  });

  it('only looks at code cells, skipping cell magics', () => {
    const cells = [
      { cellType: 'markdown', source: 'github_token = ""' },
      { cellType: 'raw', source: 'github_token = ""' },
      code('%%capture\ngithub_token = ""'),
      code('\n%%bash\ngithub_token = ""'),
      code('%time x = 1\ngithub_token = ""'),
      code('x = 1\r\ngithub_token = ""  # @param {type:"string"}\r\n')
    ];
    expect(findAssignmentCandidates(cells, FIELD)).toEqual([
      { cellIndex: 4, line: 1, variable: 'github_token', current: 'empty', preview: 'github_token = ""' },
      {
        cellIndex: 5,
        line: 1,
        variable: 'github_token',
        current: 'empty',
        preview: 'github_token = ""  # @param {type:"string"}'
      }
    ]);
  });

  it('uses the configured field name', () => {
    const cells = [code('deploy_key = ""\ngithub_token = ""\nrepo = ""')];
    expect(findAssignmentCandidates(cells, 'Deploy key').map(c => c.variable)).toEqual(['deploy_key', 'github_token']);
  });

  it('masks every token in the preview and cuts it to 120 characters', () => {
    const source = `github_token = "${T}"  # also ${PAT} ${'x'.repeat(200)}`;
    const [candidate] = findAssignmentCandidates([code(source)], FIELD);
    expect(candidate.current).toBe('token');
    expect(candidate.preview).toHaveLength(120);
    const masked = 'github_token = "ghp_...wxyz"  # also github_pat_...9876 ';
    expect(candidate.preview).toBe(`${masked}${'x'.repeat(119 - masked.length)}…`);
    expect(candidate.preview).not.toContain(T);
    expect(candidate.preview).not.toContain('AAAAAAAA');
  });

  it('tolerates malformed input', () => {
    expect(findAssignmentCandidates(undefined as never, FIELD)).toEqual([]);
    expect(
      findAssignmentCandidates([null, { cellType: 'code' }, { cellType: 'code', source: 5 }] as never, FIELD)
    ).toEqual([]);
  });
});

describe('rewriteAssignmentToEnvRead', () => {
  it('replaces the value, keeping annotation, spacing and comment, and imports os', () => {
    expect(
      rewriteAssignmentToEnvRead('github_token = ""  # @param {type:"string"}\nprint(1)', 0, 'GITHUB_TOKEN', trans)
    ).toBe(`import os\ngithub_token = ${READ}  # @param {type:"string"}\nprint(1)`);
    expect(rewriteAssignmentToEnvRead(`import os\nGITHUB_TOKEN: str   =   "${T}"   # c`, 1, 'GH_TOKEN', trans)).toBe(
      'import os\nGITHUB_TOKEN: str   =   os.environ.get("GH_TOKEN", "")   # c'
    );
    expect(rewriteAssignmentToEnvRead("import sys, os\ngh_token='x'", 1, 'GITHUB_TOKEN', trans)).toBe(
      `import sys, os\ngh_token=${READ}`
    );
    expect(rewriteAssignmentToEnvRead('github_token = os.getenv("A")', 0, 'GITHUB_TOKEN', trans)).toBe(
      `import os\ngithub_token = ${READ}`
    );
  });

  it('keeps __future__ imports first and CRLF line endings', () => {
    expect(
      rewriteAssignmentToEnvRead('from __future__ import annotations\ngithub_token = ""', 1, 'GITHUB_TOKEN', trans)
    ).toBe(`from __future__ import annotations\nimport os\ngithub_token = ${READ}`);
    expect(rewriteAssignmentToEnvRead('x = 1\r\ngithub_token = ""\r\n', 1, 'GITHUB_TOKEN', trans)).toBe(
      `import os\r\nx = 1\r\ngithub_token = ${READ}\r\n`
    );
  });

  it('replaces only the value, whatever it holds', () => {
    expect(
      rewriteAssignmentToEnvRead('github_token = os.getenv(f"{d[0]}", \'(\')  # c', 0, 'GITHUB_TOKEN', trans)
    ).toBe(`import os\ngithub_token = ${READ}  # c`);
    expect(rewriteAssignmentToLiteral('x = "#"\ngithub_token = "a # b"  # c', 1, T, trans)).toBe(
      `x = "#"\ngithub_token = "${T}"  # c`
    );
  });

  it('round-trips with findAssignmentCandidates', () => {
    const source = 'x = 1\ngithub_token = "paste here"  # @param {type:"string"}';
    const [before] = findAssignmentCandidates([code(source)], FIELD);
    expect(before.current).toBe('other');
    const rewritten = rewriteAssignmentToEnvRead(source, before.line, 'GITHUB_TOKEN', trans);
    const after = findAssignmentCandidates([code(rewritten)], FIELD);
    expect(after).toEqual([
      {
        cellIndex: 0,
        line: 2,
        variable: 'github_token',
        current: 'env',
        preview: `github_token = ${READ}  # @param {type:"string"}`
      }
    ]);
  });

  it('validates the environment variable name first', () => {
    for (const name of ['PATH', '', 'A B', 'LD_PRELOAD', "X', '')"]) {
      expect(thrown(() => rewriteAssignmentToEnvRead('github_token = ""', 0, name, trans))).toBeInstanceOf(
        UnsafeKernelInputError
      );
      // Even when the line is not a candidate.
      expect(thrown(() => rewriteAssignmentToEnvRead('x', 7, name, trans))).toBeInstanceOf(UnsafeKernelInputError);
    }
  });

  it('throws a plain Error when the line is not a candidate-shaped assignment', () => {
    const source = `github_token = f"${T}"\n  github_token = ""\ngithub_token = ""`;
    for (const line of [0, 1, 3, -1, 1.5, NaN]) {
      const error = thrown(() => rewriteAssignmentToEnvRead(source, line, 'GITHUB_TOKEN', trans));
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(UnsafeKernelInputError);
      expect(error.message).toMatch(/not an assignment/);
      expect(error.message).not.toContain(T);
    }
    expect(
      thrown(() => rewriteAssignmentToEnvRead('%%capture\ngithub_token = ""', 1, 'GITHUB_TOKEN', trans)).message
    ).toMatch(/Line 2 of the cell/);
    expect(
      thrown(() => rewriteAssignmentToEnvRead('s = """\ngithub_token = ""\n"""', 1, 'GITHUB_TOKEN', trans))
    ).toBeInstanceOf(Error);
  });
});

describe('rewriteAssignmentToLiteral', () => {
  it('puts the token in double quotes, keeping the rest of the line', () => {
    expect(rewriteAssignmentToLiteral('github_token = ""  # @param {type:"string"}', 0, T, trans)).toBe(
      `github_token = "${T}"  # @param {type:"string"}`
    );
    expect(rewriteAssignmentToLiteral("x = 1\r\nGH_TOKEN: str='old'\r\n", 1, PAT, trans)).toBe(
      `x = 1\r\nGH_TOKEN: str="${PAT}"\r\n`
    );
    // No import is added for a literal.
    expect(rewriteAssignmentToLiteral(`github_token = ${READ}`, 0, T, trans)).toBe(`github_token = "${T}"`);
  });

  it('round-trips with findAssignmentCandidates', () => {
    const rewritten = rewriteAssignmentToLiteral('github_token = ""', 0, T, trans);
    expect(findAssignmentCandidates([code(rewritten)], FIELD)[0].current).toBe('token');
    const back = rewriteAssignmentToEnvRead(rewritten, 0, 'GITHUB_TOKEN', trans);
    expect(back).toBe(`import os\ngithub_token = ${READ}`);
  });

  it('validates the token first, without quoting it', () => {
    for (const token of ['', 'ghp_abc"; import evil', "ghp_SECRET'x", 'ghp_SECRET\n', 'a'.repeat(256)]) {
      const error = thrown(() => rewriteAssignmentToLiteral('github_token = ""', 0, token, trans));
      expect(error).toBeInstanceOf(UnsafeKernelInputError);
      if (token) {
        expect(error.message).not.toContain(token.trim());
      }
      expect(error.message).not.toContain('SECRET');
      // Even when the line is not a candidate.
      expect(thrown(() => rewriteAssignmentToLiteral('x', 3, token, trans))).toBeInstanceOf(UnsafeKernelInputError);
    }
  });

  it('throws a plain Error, without the token, when the line is not a candidate', () => {
    const error = thrown(() => rewriteAssignmentToLiteral('print(1)', 0, T, trans));
    expect(error).not.toBeInstanceOf(UnsafeKernelInputError);
    expect(error.message).toMatch(/Line 1 of the cell/);
    expect(error.message).not.toContain(T);
  });
});

import {
  assertSafeEnvName,
  assertSafeToken,
  buildEnvCheckExpression,
  buildSetEnvCode,
  buildUnsetEnvCode,
  isSupportedKernelLanguage,
  literals,
  UnsafeKernelInputError,
  UnsafeKernelInputReason
} from '../../src/kernelCode';

const TOKEN = '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';
const NAMES = ['GITHUB_TOKEN', 'GH_TOKEN'];

/** Run `fn`, expect an UnsafeKernelInputError, and return its reason. */
function reasonOf(fn: () => unknown): UnsafeKernelInputReason {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafeKernelInputError);
    expect(error).toBeInstanceOf(Error);
    return (error as UnsafeKernelInputError).reason;
  }
  throw new Error('expected an UnsafeKernelInputError');
}

/** Run `fn` and return the error's message. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('generated code for a normal token', () => {
  it('sets every name from one literal', () => {
    expect(buildSetEnvCode('python', TOKEN, NAMES)).toBe(
      "(lambda value: __import__('os').environ.update({name: value for name in " +
        "['GITHUB_TOKEN', 'GH_TOKEN']}))('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')"
    );
    const code = buildSetEnvCode('python', TOKEN, NAMES);
    expect(code.split(TOKEN)).toHaveLength(2);
    expect(code).not.toContain('\n');
    expect(code).not.toMatch(/print|display/);
  });

  it('unsets the names, evaluating to None', () => {
    expect(buildUnsetEnvCode('python', NAMES)).toBe(
      "(lambda env: [env.pop(name, None) for name in ['GITHUB_TOKEN', 'GH_TOKEN']] " +
        "and None)(__import__('os').environ)"
    );
  });

  it('checks which names are set without reading values out', () => {
    expect(buildEnvCheckExpression('python', NAMES)).toBe(
      "[name for name in ['GITHUB_TOKEN', 'GH_TOKEN'] if __import__('os').environ.get(name)]"
    );
  });

  it('accepts a token made of underscores only and a single name', () => {
    expect(buildSetEnvCode('python3', '___', ['_'])).toBe(
      "(lambda value: __import__('os').environ.update({name: value for name in ['_']}))('___')"
    );
  });

  it('accepts 255 characters and 16 names', () => {
    const names = Array.from({ length: 16 }, (_, i) => `TOKEN_${i}`);
    expect(() => buildSetEnvCode('python', 'a'.repeat(255), names)).not.toThrow();
  });
});

describe('escaping (defence in depth)', () => {
  it('produces valid literals for hostile strings', () => {
    expect(literals.python("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(literals.python('x\ny\rz\u0000\t')).toBe("'x\\x0ay\\x0dz\\x00\\x09'");
    expect(literals.python('\u043e')).toBe("'\\u043e'");
    expect(literals.python('😀')).toBe("'\\U0001f600'");
    expect(literals.python('"{x}"')).toBe("'\"{x}\"'");
  });
});

describe('isSupportedKernelLanguage', () => {
  it.each(['python', 'Python', 'python3', 'PYTHON3', 'ipython', 'ipython3', 'python2'])(
    '%s is supported',
    language => expect(isSupportedKernelLanguage(language)).toBe(true)
  );
  it.each([undefined, '', 'R', 'julia', 'javascript', 'python 3', 'pythonx', 'c++', 'python;rm'])(
    '%p is not supported',
    language => expect(isSupportedKernelLanguage(language)).toBe(false)
  );
  it('throws reason language from every builder', () => {
    expect(reasonOf(() => buildSetEnvCode('R', TOKEN, NAMES))).toBe('language');
    expect(reasonOf(() => buildSetEnvCode(undefined, TOKEN, NAMES))).toBe('language');
    expect(reasonOf(() => buildUnsetEnvCode('julia', NAMES))).toBe('language');
    expect(reasonOf(() => buildEnvCheckExpression('', NAMES))).toBe('language');
  });
});

describe('hostile tokens are rejected before any code is built', () => {
  const hostile: Array<[string, string, UnsafeKernelInputReason]> = [
    ['empty', '', 'token-empty'],
    ['single quote', "ghp_abc'def", 'token-characters'],
    ['double quote', 'ghp_abc"def', 'token-characters'],
    ['triple quotes', "ghp_'''x'''", 'token-characters'],
    ['backslash', 'ghp_abc\\', 'token-characters'],
    ['newline', 'ghp_abc\ndef', 'token-characters'],
    ['trailing newline', 'ghp_abc\n', 'token-characters'],
    ['carriage return', 'ghp_abc\rdef', 'token-characters'],
    ['NUL', 'ghp_abc\u0000def', 'token-characters'],
    ['tab', 'ghp_abc\tdef', 'token-characters'],
    ['space', 'ghp_abc def', 'token-characters'],
    ['Cyrillic o', 'ghp_ab\u043ecd', 'token-characters'],
    ['full-width letter', 'ghp_ab\uff41cd', 'token-characters'],
    ['full-width digit', 'ghp_\uff11\uff12', 'token-characters'],
    ['injection', "'); import os; os.system('x", 'token-characters'],
    ['f-string braces', 'ghp_{os.system("x")}', 'token-characters'],
    ['percent format', 'ghp_%s%(x)s', 'token-characters'],
    ['zero-width space', 'ghp_ab\u200bcd', 'token-characters'],
    ['emoji', 'ghp_😀', 'token-characters'],
    ['10 KB of letters', 'a'.repeat(10 * 1024), 'token-length'],
    ['256 characters', 'a'.repeat(256), 'token-length'],
    ['10 KB of quotes', "'".repeat(10 * 1024), 'token-length']
  ];

  it.each(hostile)('%s', (_label, token, reason) => {
    const spy = jest.spyOn(literals, 'python');
    try {
      expect(reasonOf(() => buildSetEnvCode('python', token, NAMES))).toBe(reason);
      expect(reasonOf(() => assertSafeToken(token))).toBe(reason);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects non-string tokens', () => {
    expect(reasonOf(() => buildSetEnvCode('python', undefined as unknown as string, NAMES))).toBe(
      'token-empty'
    );
  });

  it('never puts the token in the error message', () => {
    const secret = "ghp_SECRETVALUE123'";
    const message = messageOf(() => buildSetEnvCode('python', secret, NAMES));
    expect(message).not.toContain('SECRETVALUE');
    const long = 'ghp_' + 'S'.repeat(300);
    expect(messageOf(() => buildSetEnvCode('python', long, NAMES))).not.toContain('SSSS');
  });

  it('validates the language before touching the token', () => {
    expect(reasonOf(() => buildSetEnvCode('R', "bad'token", NAMES))).toBe('language');
  });
});

describe('hostile environment variable names are rejected', () => {
  const hostile: Array<[string, string[], UnsafeKernelInputReason]> = [
    ['no names', [], 'no-names'],
    ['empty name', [''], 'name-invalid'],
    ['leading digit', ['1TOKEN'], 'name-invalid'],
    ['quote', ["GH'TOKEN"], 'name-invalid'],
    ['injection', ["X']; import os; os.system('y"], 'name-invalid'],
    ['space', ['GH TOKEN'], 'name-invalid'],
    ['equals', ['GH=TOKEN'], 'name-invalid'],
    ['newline', ['GH_TOKEN\n'], 'name-invalid'],
    ['NUL', ['GH\u0000TOKEN'], 'name-invalid'],
    ['hyphen', ['GH-TOKEN'], 'name-invalid'],
    ['Cyrillic', ['GH_T\u041eKEN'], 'name-invalid'],
    ['full-width', ['\uff27H_TOKEN'], 'name-invalid'],
    ['129 characters', ['A'.repeat(129)], 'name-invalid'],
    ['PATH', ['PATH'], 'name-invalid'],
    ['path (lower case)', ['path'], 'name-invalid'],
    ['LD_PRELOAD', ['LD_PRELOAD'], 'name-invalid'],
    ['PYTHONSTARTUP', ['PYTHONSTARTUP'], 'name-invalid'],
    ['JPY_SESSION_NAME', ['JPY_SESSION_NAME'], 'name-invalid'],
    ['a token as a name', [TOKEN], 'name-invalid'],
    ['duplicate', ['GITHUB_TOKEN', 'GITHUB_TOKEN'], 'name-duplicate'],
    ['duplicate ignoring case', ['GITHUB_TOKEN', 'github_token'], 'name-duplicate'],
    ['17 names', Array.from({ length: 17 }, (_, i) => `T${i}`), 'name-invalid']
  ];

  it.each(hostile)('%s', (_label, names, reason) => {
    const spy = jest.spyOn(literals, 'python');
    try {
      expect(reasonOf(() => buildSetEnvCode('python', TOKEN, names))).toBe(reason);
      expect(reasonOf(() => buildUnsetEnvCode('python', names))).toBe(reason);
      expect(reasonOf(() => buildEnvCheckExpression('python', names))).toBe(reason);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects a non-array', () => {
    expect(reasonOf(() => buildUnsetEnvCode('python', 'GITHUB_TOKEN' as unknown as string[]))).toBe(
      'no-names'
    );
  });

  it('accepts ordinary names', () => {
    for (const name of ['GITHUB_TOKEN', 'GH_TOKEN', '_private', 'a', 'A'.repeat(128), 'MY_PAT_2']) {
      expect(() => assertSafeEnvName(name)).not.toThrow();
    }
  });

  it('does not echo a token pasted as a name', () => {
    expect(messageOf(() => buildUnsetEnvCode('python', [TOKEN]))).not.toContain(TOKEN.slice(4));
  });
});

describe('UnsafeKernelInputError', () => {
  it('has a name, reason and message', () => {
    const error = new UnsafeKernelInputError('token-empty', 'm');
    expect(error.name).toBe('UnsafeKernelInputError');
    expect(error.reason).toBe('token-empty');
    expect(error.message).toBe('m');
  });
});

describe('the generated Python really works (when python3 is available)', () => {
  // Typed locally so the test needs no @types/node.
  type SpawnSync = (
    command: string,
    args: string[],
    options?: { env?: Record<string, string>; encoding?: 'utf8' }
  ) => { status: number | null; stdout: string; stderr: string; error?: Error };
  const { spawnSync } = jest.requireActual<{ spawnSync: SpawnSync }>('child_process');
  const nodeProcess = (globalThis as { process?: { env: Record<string, string | undefined> } })
    .process;
  const probe = spawnSync('python3', ['--version']);
  const run = probe.status === 0 ? it : it.skip;

  run('sets, checks and unsets the variables without leaving names or output', () => {
    const script = [
      'import os, json',
      'ns = {}',
      'before = set(ns)',
      `r1 = eval(compile(${JSON.stringify(buildSetEnvCode('python', TOKEN, NAMES))}, 'c', 'eval'), ns)`,
      `present = eval(${JSON.stringify(buildEnvCheckExpression('python', [...NAMES, 'UNSET_X']))}, ns)`,
      "values = [os.environ.get(n) for n in ['GITHUB_TOKEN', 'GH_TOKEN']]",
      `r2 = eval(compile(${JSON.stringify(buildUnsetEnvCode('python', NAMES))}, 'c', 'eval'), ns)`,
      `after = eval(${JSON.stringify(buildEnvCheckExpression('python', NAMES))}, ns)`,
      "leaked = sorted(set(ns) - before - {'__builtins__'})",
      'print(json.dumps([r1, present, values, r2, after, leaked]))'
    ].join('\n');
    const result = spawnSync('python3', ['-c', script], {
      env: { PATH: nodeProcess?.env.PATH ?? '' },
      encoding: 'utf8'
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      null,
      ['GITHUB_TOKEN', 'GH_TOKEN'],
      [TOKEN, TOKEN],
      null,
      [],
      []
    ]);
  });
});

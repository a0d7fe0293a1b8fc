import {
  buildEnvCheckExpression,
  buildListWidgetsExpression,
  buildSetEnvCode,
  buildSetWidgetValueCode,
  buildUnsetEnvCode,
  buildWidgetValueCheckExpression,
  literals
} from '../../../src/kernel/code';
import {
  assertSafeEnvName,
  assertSafeToken,
  UnsafeKernelInputError,
  UnsafeKernelInputReason
} from '../../../src/kernel/validation';
import { trans } from '../support/trans';
import { messageOf, reasonOf } from './refusal';

const TOKEN = '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';
const NAMES = ['GITHUB_TOKEN', 'GH_TOKEN'];

/** The statement inside the `try:` block of generated code. */
function innerStatement(code: string): string {
  const lines = code.split('\n');
  expect(lines).toHaveLength(4);
  return lines[1].trim();
}

describe('generated code for a normal token', () => {
  it('sets every name from one literal, inside try / bare except', () => {
    expect(buildSetEnvCode('python', TOKEN, NAMES, trans)).toBe(
      'try:\n' +
        "    (lambda value: __import__('os').environ.update({name: value for name in " +
        "['GITHUB_TOKEN', 'GH_TOKEN']}))('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')\n" +
        'except:\n' +
        '    pass'
    );
    const code = buildSetEnvCode('python', TOKEN, NAMES, trans);
    expect(code.split(TOKEN)).toHaveLength(2);
    expect(code.split('\n')).toHaveLength(4);
    // The token is only on the line inside try:.
    expect(code.split('\n').filter(line => line.includes(TOKEN))).toEqual([`    ${innerStatement(code)}`]);
    expect(code).not.toMatch(/print|display|BaseException|Exception/);
  });

  it('unsets the names inside try / bare except, evaluating to None', () => {
    expect(buildUnsetEnvCode('python', NAMES, trans)).toBe(
      'try:\n' +
        "    (lambda env: [env.pop(name, None) for name in ['GITHUB_TOKEN', 'GH_TOKEN']] " +
        "and None)(__import__('os').environ)\n" +
        'except:\n' +
        '    pass'
    );
  });

  it('checks which names are set without reading values out', () => {
    expect(buildEnvCheckExpression('python', NAMES, trans)).toBe(
      "[name for name in ['GITHUB_TOKEN', 'GH_TOKEN'] if __import__('os').environ.get(name)]"
    );
  });

  it('accepts a token made of underscores only and a single name', () => {
    expect(buildSetEnvCode('python3', '___', ['PAT'], trans)).toBe(
      "try:\n    (lambda value: __import__('os').environ.update({name: value for name in ['PAT']}))('___')\n" +
        'except:\n    pass'
    );
  });

  it('accepts 255 characters and 16 names', () => {
    const names = Array.from({ length: 16 }, (_, i) => `T${i}_TOKEN`);
    expect(() => buildSetEnvCode('python', 'a'.repeat(255), names, trans)).not.toThrow();
  });
});

describe('escaping (defence in depth)', () => {
  it('produces valid literals for hostile strings', () => {
    expect(literals.python("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(literals.python('x\ny\rz\u0000\t')).toBe("'x\\x0ay\\x0dz\\x00\\x09'");
    expect(literals.python('\u043e')).toBe("'\\u043e'");
    expect(literals.python('😀')).toBe("'\\U0001f600'");
    expect(literals.python('"{x}"')).toBe('\'"{x}"\'');
  });
});

describe('every builder refuses an unsupported language', () => {
  it('throws reason language from every builder', () => {
    expect(reasonOf(() => buildSetEnvCode('R', TOKEN, NAMES, trans))).toBe('language');
    expect(reasonOf(() => buildSetEnvCode(undefined, TOKEN, NAMES, trans))).toBe('language');
    expect(reasonOf(() => buildUnsetEnvCode('julia', NAMES, trans))).toBe('language');
    expect(reasonOf(() => buildEnvCheckExpression('', NAMES, trans))).toBe('language');
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
      expect(reasonOf(() => buildSetEnvCode('python', token, NAMES, trans))).toBe(reason);
      expect(reasonOf(() => assertSafeToken(token, trans))).toBe(reason);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects non-string tokens', () => {
    expect(reasonOf(() => buildSetEnvCode('python', undefined as unknown as string, NAMES, trans))).toBe('token-empty');
  });

  it('never puts the token in the error message', () => {
    const secret = "ghp_SECRETVALUE123'";
    const message = messageOf(() => buildSetEnvCode('python', secret, NAMES, trans));
    expect(message).not.toContain('SECRETVALUE');
    const long = 'ghp_' + 'S'.repeat(300);
    expect(messageOf(() => buildSetEnvCode('python', long, NAMES, trans))).not.toContain('SSSS');
  });

  it('validates the language before touching the token', () => {
    expect(reasonOf(() => buildSetEnvCode('R', "bad'token", NAMES, trans))).toBe('language');
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
    ['17 names', Array.from({ length: 17 }, (_, i) => `T${i}_TOKEN`), 'name-invalid']
  ];

  it.each(hostile)('%s', (_label, names, reason) => {
    const spy = jest.spyOn(literals, 'python');
    try {
      expect(reasonOf(() => buildSetEnvCode('python', TOKEN, names, trans))).toBe(reason);
      expect(reasonOf(() => buildUnsetEnvCode('python', names, trans))).toBe(reason);
      expect(reasonOf(() => buildEnvCheckExpression('python', names, trans))).toBe(reason);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects a non-array', () => {
    expect(reasonOf(() => buildUnsetEnvCode('python', 'GITHUB_TOKEN' as unknown as string[], trans))).toBe('no-names');
  });

  it.each([
    'HISTFILE',
    'SSLKEYLOGFILE',
    'REQUESTS_CA_BUNDLE',
    'NODE_OPTIONS',
    'XDG_CONFIG_HOME',
    'GITHUB_PATH',
    'GITHUB_ENV',
    'GITHUB_TOKEN_FILE',
    'GITHUB',
    'PS5',
    'TOKEN_PAGER',
    'MY_PAT_2',
    '_private',
    'a'
  ])('refuses %s, which does not look like a token variable', name => {
    expect(reasonOf(() => buildSetEnvCode('python', TOKEN, ['GITHUB_TOKEN', name], trans))).toBe('name-invalid');
    const message = messageOf(() => assertSafeEnvName(name, trans));
    expect(message).toContain(name);
    expect(message).toContain('does not look like a token variable');
    expect(message).toContain('GITHUB_TOKEN');
  });

  it.each([
    'GITHUB_TOKEN',
    'GH_TOKEN',
    'GH_ENTERPRISE_TOKEN',
    'GITHUB_ENTERPRISE_TOKEN',
    'GITHUB_PAT',
    'github_token',
    'Gh_Token',
    'NODE_AUTH_TOKEN',
    'GITLAB_TOKEN',
    'MY_GIT_TOKEN',
    'EDITOR_TOKEN',
    'HTTP_TOKEN',
    'TERMINAL_TOKEN',
    'SSH_TOKEN'
  ])('keeps the usual token variable %s allowed', name => {
    expect(() => assertSafeEnvName(name, trans)).not.toThrow();
    expect(() => buildSetEnvCode('python', TOKEN, [name], trans)).not.toThrow();
  });

  /** Names that make git, ssh, shells or other tools print or run their value. */
  const PRINTED_OR_EXECUTED = [
    'GIT_ASKPASS',
    'GIT_EDITOR',
    'GIT_SSH_COMMAND',
    'GIT_SSH',
    'GIT_TRACE',
    'GIT_TRACE_CURL',
    'GIT_PAGER',
    'GIT_SEQUENCE_EDITOR',
    'GIT_CONFIG_PARAMETERS',
    'GIT_CONFIG_VALUE_0',
    'GIT_EXTERNAL_DIFF',
    'GIT_PROXY_COMMAND',
    'GIT_TOKEN',
    'GIT_',
    'SSH_ASKPASS',
    'SSH_AUTH_SOCK',
    'EDITOR',
    'VISUAL',
    'PAGER',
    'MANPAGER',
    'BROWSER',
    'SHELL',
    'TERM',
    'PS1',
    'PS2',
    'PS3',
    'PS4',
    'PROMPT_COMMAND',
    'BASH_ENV',
    'ENV',
    'IFS',
    'TMPDIR',
    'TMP',
    'TEMP',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'ALL_PROXY',
    'NO_PROXY'
  ];

  it.each(
    PRINTED_OR_EXECUTED.flatMap(name => {
      const variants = [name, name.toLowerCase()];
      // Mixed case, e.g. Git_Editor / Https_Proxy.
      variants.push(name.toLowerCase().replace(/(^|_)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase()));
      return [...new Set(variants)];
    })
  )('refuses %s', name => {
    const spy = jest.spyOn(literals, 'python');
    try {
      expect(reasonOf(() => assertSafeEnvName(name, trans))).toBe('name-invalid');
      expect(reasonOf(() => buildSetEnvCode('python', TOKEN, ['GITHUB_TOKEN', name], trans))).toBe('name-invalid');
      expect(reasonOf(() => buildUnsetEnvCode('python', [name], trans))).toBe('name-invalid');
      expect(reasonOf(() => buildEnvCheckExpression('python', [name], trans))).toBe('name-invalid');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('does not echo a token pasted as a name', () => {
    expect(messageOf(() => buildUnsetEnvCode('python', [TOKEN], trans))).not.toContain(TOKEN.slice(4));
  });
});

describe('the generated Python really works (when python3 is available)', () => {
  // Typed locally so the test needs no @types/node.
  type SpawnSync = (
    command: string,
    args: string[],
    options?: { env?: Record<string, string>; encoding?: 'utf8'; timeout?: number }
  ) => { status: number | null; stdout: string; stderr: string; error?: Error };
  const { spawnSync } = jest.requireActual<{ spawnSync: SpawnSync }>('child_process');
  const nodeProcess = (globalThis as { process?: { env: Record<string, string | undefined> } }).process;
  const probe = spawnSync('python3', ['--version']);
  const run = probe.status === 0 ? it : it.skip;
  const ipythonProbe = probe.status === 0 ? spawnSync('python3', ['-c', 'import IPython']) : undefined;
  const runIpython = ipythonProbe?.status === 0 ? it : it.skip;

  /** Run a Python script with a minimal environment. */
  function python(script: string): { status: number | null; stdout: string; stderr: string } {
    return spawnSync('python3', ['-c', script], {
      env: { PATH: nodeProcess?.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 60000
    });
  }

  /** A Python string literal of `text` (JSON strings are valid Python literals). */
  const py = (text: string): string => JSON.stringify(text);

  /**
   * Python that defines `run(code, ns)`: it runs `code` like IPython runs a
   * cell, with the source registered in linecache under a cell-like file name
   * so that a traceback, if any, would quote the source line (the token).
   */
  const RUNNER = [
    'import json, linecache, os, sys',
    'def run(code, ns):',
    "    name = '<ipython-input-1>'",
    '    linecache.cache[name] = (len(code), None, code.splitlines(True), name)',
    "    exec(compile(code, name, 'exec'), ns)"
  ].join('\n');

  /**
   * Namespaces in which `__import__` is broken, the way user code can break it:
   * rebound globally, missing, raising, raising BaseExceptions that are not
   * Exceptions, returning nonsense; plus `BaseException`/`Exception` rebound.
   */
  const HOSTILE_NAMESPACES = [
    'def _raise(error):',
    '    def hook(*args, **kwargs):',
    '        raise error',
    '    return hook',
    'def _exit(*args, **kwargs):',
    '    sys.exit(3)',
    'hostile = [',
    "    {'__import__': None},",
    "    {'__import__': 42, 'BaseException': None, 'Exception': None},",
    "    {'__builtins__': {}},",
    "    {'__builtins__': {'__import__': _raise(RuntimeError('boom'))}},",
    "    {'__builtins__': {'__import__': _raise(KeyboardInterrupt())}},",
    "    {'__builtins__': {'__import__': _raise(GeneratorExit())}},",
    "    {'__builtins__': {'__import__': _exit}},",
    "    {'__builtins__': {'__import__': lambda *args, **kwargs: None}},",
    ']'
  ].join('\n');

  run('sets, checks and unsets the variables without leaving names or output', () => {
    const script = [
      RUNNER,
      'ns = {}',
      'before = set(ns)',
      `r1 = run(${py(buildSetEnvCode('python', TOKEN, NAMES, trans))}, ns)`,
      `present = eval(${py(buildEnvCheckExpression('python', [...NAMES, 'UNSET_TOKEN'], trans))}, ns)`,
      "values = [os.environ.get(n) for n in ['GITHUB_TOKEN', 'GH_TOKEN']]",
      `r2 = run(${py(buildUnsetEnvCode('python', NAMES, trans))}, ns)`,
      `after = eval(${py(buildEnvCheckExpression('python', NAMES, trans))}, ns)`,
      "leaked = sorted(set(ns) - before - {'__builtins__'})",
      'print(json.dumps([r1, present, values, r2, after, leaked]))'
    ].join('\n');
    const result = python(script);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([null, ['GITHUB_TOKEN', 'GH_TOKEN'], [TOKEN, TOKEN], null, [], []]);
  });

  run('never raises or prints when __import__ is broken; the check reports nothing set', () => {
    const script = [
      RUNNER,
      HOSTILE_NAMESPACES,
      'results = []',
      'for ns in hostile:',
      '    keys = set(ns)',
      `    run(${py(buildSetEnvCode('python', TOKEN, NAMES, trans))}, ns)`,
      '    confirmed = eval(' + py(buildEnvCheckExpression('python', NAMES, trans)) + ', {})',
      `    run(${py(buildUnsetEnvCode('python', NAMES, trans))}, ns)`,
      "    results.append([confirmed, sorted(set(ns) - keys - {'__builtins__'})])",
      // The unset code is silent too when there is something to remove.
      "os.environ['GITHUB_TOKEN'] = os.environ['GH_TOKEN'] = 'x'",
      'for ns in hostile:',
      `    run(${py(buildUnsetEnvCode('python', NAMES, trans))}, ns)`,
      "print(json.dumps(results, separators=(',', ':')), os.environ.get('GITHUB_TOKEN'))"
    ].join('\n');
    const result = python(script);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${JSON.stringify(Array(8).fill([[], []]))} x\n`);
    expect(result.stdout + result.stderr).not.toContain(TOKEN.slice(4));
  });

  run('control: without the try block the same failure would print the token', () => {
    const inner = innerStatement(buildSetEnvCode('python', TOKEN, NAMES, trans));
    const script = [
      RUNNER,
      'import traceback',
      'try:',
      `    run(${py(inner)}, {'__import__': None})`,
      'except BaseException:',
      '    traceback.print_exc()'
    ].join('\n');
    const result = python(script);
    expect(result.stderr).toContain(TOKEN);
  });

  runIpython('in a real IPython shell: silent, no traceback, no token in any output', () => {
    const set = buildSetEnvCode('python', TOKEN, NAMES, trans);
    const unset = buildUnsetEnvCode('python', NAMES, trans);
    const check = buildEnvCheckExpression('python', NAMES, trans);
    const script = [
      'import json, os, shutil, sys, tempfile',
      "os.environ['IPYTHONDIR'] = tempfile.mkdtemp()",
      'from traitlets.config import Config',
      'from IPython.core.interactiveshell import InteractiveShell',
      'config = Config()',
      "config.HistoryManager.hist_file = ':memory:'",
      'shell = InteractiveShell.instance(config=config)',
      'def cell(code):',
      '    result = shell.run_cell(code, store_history=False, silent=True)',
      '    return result.error_in_exec is None and result.error_before_exec is None',
      'out = []',
      // A normal namespace: set, confirmed, unset.
      `out.append(cell(${py(set)}))`,
      `out.append(eval(${py(check)}, {}))`,
      `out.append(cell(${py(unset)}))`,
      `out.append(eval(${py(check)}, {}))`,
      // The user broke __import__: nothing raised, nothing set.
      "shell.user_ns['__import__'] = None",
      `out.append(cell(${py(set)}))`,
      `out.append(eval(${py(check)}, {}))`,
      `out.append(cell(${py(unset)}))`,
      // Control: the bare statement fails loudly, quoting the token.
      'sys.stdout.flush()',
      'real_stdout, real_stderr = sys.stdout, sys.stderr',
      'import io',
      'sys.stdout = sys.stderr = captured = io.StringIO()',
      `failed = not cell(${py(innerStatement(set))})`,
      'sys.stdout, sys.stderr = real_stdout, real_stderr',
      `out.append([failed, ${py(TOKEN)} in captured.getvalue()])`,
      "shutil.rmtree(os.environ['IPYTHONDIR'], ignore_errors=True)",
      // The check above must not mention the token in the printed JSON.
      'print(json.dumps(out))'
    ].join('\n');
    const result = python(script);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      true,
      ['GITHUB_TOKEN', 'GH_TOKEN'],
      true,
      [],
      true,
      [],
      true,
      [true, true]
    ]);
    expect(result.stdout).not.toContain(TOKEN.slice(4));
  });
});

describe('widget code', () => {
  const ID = '4ec0c17515004facba0716172ecfcf09';

  it('sets the widget value from one escaped literal, inside try/except, without importing ipywidgets', () => {
    const code = buildSetWidgetValueCode('python', [ID], TOKEN, trans);
    expect(code.split('\n')[0]).toBe('try:');
    expect(code.split('\n').slice(-2)).toEqual(['except:', '    pass']);
    expect(code.split(TOKEN)).toHaveLength(2);
    expect(code).toContain(`['${ID}']`);
    expect(code).toContain("__import__('sys').modules.get('ipywidgets.widgets.widget')");
    expect(code).not.toContain("__import__('ipywidgets");
  });

  it('checks by length, listing takes no input and returns no value', () => {
    expect(buildWidgetValueCheckExpression('python', [ID], trans)).toContain('len(');
    const list = buildListWidgetsExpression('python', trans);
    expect(list).toContain("['Password', 'Text']");
    expect(list).not.toMatch(/'value'\)\]/);
    expect(list).toContain("'empty': not getattr(widget, 'value', '')");
  });

  it("also lists containers with their children's model ids, still without a value or an import", () => {
    const list = buildListWidgetsExpression('python', trans);
    expect(list).toContain(
      "{'id': key, 'children': [str(getattr(child, 'model_id', '') or '') for child in list(widget.children)][:200]}"
    );
    expect(list).toContain("if isinstance(getattr(widget, 'children', None), (list, tuple))][:200]");
    // One JSON list, base64 encoded: fields first, then containers.
    expect(list).toMatch(
      /^__import__\('base64'\)\.b64encode\(__import__\('json'\)\.dumps\(\[.*\]\[:200\] \+ \[.*\]\[:200\]\)\.encode\(\)\)\.decode\(\)$/
    );
    expect(list.match(/'value'/g)).toHaveLength(1);
    expect(list).not.toMatch(/__import__\('(?!base64|json|sys)/);
  });

  it.each([
    [[]],
    [[ID.toUpperCase()]],
    [[ID.slice(1)]],
    [[ID + '0']],
    [[`${ID.slice(2)}')`]],
    [[ID, ID]],
    [Array.from({ length: 17 }, (_, i) => i.toString(16).padStart(32, '0'))]
  ])('refuses model ids %j', ids => {
    expect(() => buildSetWidgetValueCode('python', ids, TOKEN, trans)).toThrow(UnsafeKernelInputError);
    expect(() => buildWidgetValueCheckExpression('python', ids, trans)).toThrow(UnsafeKernelInputError);
  });

  it('refuses a bad token or language before building', () => {
    expect(() => buildSetWidgetValueCode('python', [ID], "x'", trans)).toThrow(UnsafeKernelInputError);
    expect(() => buildSetWidgetValueCode('R', [ID], TOKEN, trans)).toThrow(UnsafeKernelInputError);
    expect(() => buildListWidgetsExpression('julia', trans)).toThrow(UnsafeKernelInputError);
  });
});

import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel } from '@jupyterlab/services';
import { clearTokenFromKernels, restartKernels, writeTokenToKernel } from '../../../src/kernel/environment';
import { KERNEL_DEBUG_CHECK_EXPRESSION, parseKernelDebugCheck } from '../../../src/kernel/debugCheck';
import type { Trans } from '../../../src/i18n';
import { trans } from '../support/trans';

/** A well-formed classic token (letters, digits and underscores only). */
const TOKEN = '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';
const NAMES = ['GITHUB_TOKEN', 'GH_TOKEN'];
const USER_EXPRESSION = 'jupyterlab_github_token_set';

interface IFakeKernelOptions {
  status?: string;
  connectionStatus?: string;
  language?: string;
  reply?: unknown;
  /** The debug-logging check's answer (`text/plain`), or a whole reply. */
  debugCheck?: string | { content: unknown };
}

interface IFakeKernel {
  status: string;
  connectionStatus: string;
  info: Promise<{ language_info: { name: string } }>;
  /** Every request but the debug-logging check. */
  requests: Array<Record<string, any>>;
  /** Every request in order, 'check' or 'code'. */
  order: string[];
  requestExecute: jest.Mock;
}

function isDebugCheck(content: Record<string, any>): boolean {
  return Object.values(content.user_expressions ?? {}).includes(KERNEL_DEBUG_CHECK_EXPRESSION);
}

function expressionReply(text: string): unknown {
  return {
    content: {
      status: 'ok',
      user_expressions: { [USER_EXPRESSION]: { status: 'ok', data: { 'text/plain': text }, metadata: {} } }
    }
  };
}

function okReply(setNames = "['GITHUB_TOKEN', 'GH_TOKEN']"): unknown {
  return {
    content: {
      status: 'ok',
      execution_count: 0,
      user_expressions: {
        [USER_EXPRESSION]: {
          status: 'ok',
          data: { 'text/plain': setNames },
          metadata: {}
        }
      }
    }
  };
}

function fakeKernel(options: IFakeKernelOptions = {}): IFakeKernel {
  const requests: Array<Record<string, any>> = [];
  const order: string[] = [];
  const reply = options.reply ?? okReply();
  const check = options.debugCheck ?? "'quiet'";
  const kernel: IFakeKernel = {
    status: options.status ?? 'idle',
    connectionStatus: options.connectionStatus ?? 'connected',
    info: Promise.resolve({ language_info: { name: options.language ?? 'python' } }),
    requests,
    order,
    requestExecute: jest.fn((content: Record<string, any>) => {
      if (isDebugCheck(content)) {
        order.push('check');
        return { done: Promise.resolve(typeof check === 'string' ? expressionReply(check) : check) };
      }
      order.push('code');
      requests.push(content);
      return { done: Promise.resolve(reply) };
    })
  };
  return kernel;
}

function fakeContext(kernel: IFakeKernel | null, kernelDisplayName = 'Python 3 (ipykernel)'): ISessionContext {
  return {
    session: { kernel },
    kernelDisplayName
  } as unknown as ISessionContext;
}

function expectNoToken(value: unknown): void {
  expect(JSON.stringify(value)).not.toContain(TOKEN);
  // Not even a large part of it.
  expect(JSON.stringify(value)).not.toContain(TOKEN.slice(4, 20));
}

describe('writeTokenToKernel refusals', () => {
  it('refuses without a notebook', async () => {
    const result = await writeTokenToKernel(null, undefined, TOKEN, NAMES, trans);
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('no-notebook');
    expect(result.variables).toEqual([]);
    expect(result.message).toMatch(/notebook/i);
    expectNoToken(result);
  });

  it('refuses undefined context as no-notebook too', async () => {
    const result = await writeTokenToKernel(undefined, 'a.ipynb', TOKEN, NAMES, trans);
    expect(result.problem).toBe('no-notebook');
  });

  it('refuses when the session has no kernel', async () => {
    const result = await writeTokenToKernel(fakeContext(null), 'analysis.ipynb', TOKEN, NAMES, trans);
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('no-kernel');
    expect(result.message).toContain('analysis.ipynb');
    expectNoToken(result);
  });

  it('refuses when there is no session at all', async () => {
    const context = { session: null, kernelDisplayName: 'No Kernel' } as unknown as ISessionContext;
    const result = await writeTokenToKernel(context, 'analysis.ipynb', TOKEN, NAMES, trans);
    expect(result.problem).toBe('no-kernel');
  });

  const statusCases: Array<[string, string]> = [
    ['dead', 'dead'],
    ['restarting', 'restarting'],
    ['autorestarting', 'restarting'],
    ['starting', 'restarting'],
    ['busy', 'busy']
  ];
  it.each(statusCases)('kernel status %s -> problem %s, nothing sent', async (status, problem) => {
    const kernel = fakeKernel({ status });
    const result = await writeTokenToKernel(fakeContext(kernel), 'analysis.ipynb', TOKEN, NAMES, trans);
    expect(result.ok).toBe(false);
    expect(result.problem).toBe(problem);
    expect(result.variables).toEqual([]);
    expect(result.message).toContain('analysis.ipynb');
    expect(kernel.requestExecute).not.toHaveBeenCalled();
    expectNoToken(result);
  });

  it.each(['connecting', 'disconnected'])(
    'connection status %s -> disconnected, nothing sent',
    async connectionStatus => {
      const kernel = fakeKernel({ connectionStatus });
      const result = await writeTokenToKernel(fakeContext(kernel), 'analysis.ipynb', TOKEN, NAMES, trans);
      expect(result.ok).toBe(false);
      expect(result.problem).toBe('disconnected');
      expect(kernel.requestExecute).not.toHaveBeenCalled();
    }
  );

  it('kernel status unknown -> disconnected, nothing sent', async () => {
    const kernel = fakeKernel({ status: 'unknown' });
    const result = await writeTokenToKernel(fakeContext(kernel), 'analysis.ipynb', TOKEN, NAMES, trans);
    expect(result.problem).toBe('disconnected');
    expect(kernel.requestExecute).not.toHaveBeenCalled();
  });

  it('refuses an R kernel, naming R and saying Python only', async () => {
    const kernel = fakeKernel({ language: 'R' });
    const result = await writeTokenToKernel(fakeContext(kernel, 'R 4.3'), 'stats.ipynb', TOKEN, NAMES, trans);
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('unsupported-language');
    expect(result.message).toMatch(/\bR\b/);
    expect(result.message).toMatch(/Python kernels only/);
    expect(result.kernelDisplayName).toBe('R 4.3');
    expect(kernel.requestExecute).not.toHaveBeenCalled();
    expectNoToken(result);
  });

  it('refuses a kernel without a language name', async () => {
    const kernel = fakeKernel();
    kernel.info = Promise.resolve({ language_info: {} } as any);
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result.problem).toBe('unsupported-language');
    expect(result.message).toContain('an unknown language');
    expect(kernel.requestExecute).not.toHaveBeenCalled();
  });

  it.each([
    ['a quote', "ghp_abc'); import os; os.system('x"],
    ['a newline', 'ghp_abcdef\nprint(1)'],
    ['a double quote', 'ghp_abc"def'],
    ['a backslash', 'ghp_abc\\def']
  ])('refuses a token with %s as unsafe-input, nothing sent', async (_label, token) => {
    const kernel = fakeKernel();
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', token, NAMES, trans);
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('unsafe-input');
    expect(result.variables).toEqual([]);
    expect(result.message).not.toContain(token);
    expect(kernel.requestExecute).not.toHaveBeenCalled();
  });

  it('refuses an empty token and a reserved variable name as unsafe-input', async () => {
    const kernel = fakeKernel();
    const empty = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', '', NAMES, trans);
    expect(empty.problem).toBe('unsafe-input');
    const reserved = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, ['PATH'], trans);
    expect(reserved.problem).toBe('unsafe-input');
    const none = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, [], trans);
    expect(none.problem).toBe('unsafe-input');
    expect(kernel.requestExecute).not.toHaveBeenCalled();
  });
});

describe('writeTokenToKernel happy path', () => {
  it('sends exactly one silent request and reports the variables', async () => {
    const kernel = fakeKernel();
    const result = await writeTokenToKernel(
      fakeContext(kernel, 'Python 3 (ipykernel)'),
      'analysis.ipynb',
      TOKEN,
      NAMES,
      trans
    );
    expect(kernel.requests).toHaveLength(1);
    const content = kernel.requests[0];
    expect(content).toEqual(expect.objectContaining({ silent: true, store_history: false, allow_stdin: false }));
    const code = content.code as string;
    expect(code.split(TOKEN).length - 1).toBe(1);
    for (const name of NAMES) {
      expect(code).toContain(name);
    }
    // The check expression never evaluates to (or contains) the token.
    expect(Object.keys(content.user_expressions)).toEqual([USER_EXPRESSION]);
    expect(JSON.stringify(content.user_expressions)).not.toContain(TOKEN);

    expect(result.ok).toBe(true);
    expect(result.problem).toBeUndefined();
    expect(result.variables).toEqual(NAMES);
    expect(result.kernelDisplayName).toBe('Python 3 (ipykernel)');
    expect(result.message).toContain('GITHUB_TOKEN');
    expect(result.message).toContain('GH_TOKEN');
    expect(result.message).toContain('analysis.ipynb');
    expectNoToken(result);
  });

  it('accepts python3 / ipython language names', async () => {
    for (const language of ['python3', 'ipython3', 'Python']) {
      const kernel = fakeKernel({ language });
      const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
      expect(result.ok).toBe(true);
      expect(kernel.requests).toHaveLength(1);
    }
  });

  it('returns a copy of the names, not the caller array', async () => {
    const names = ['GITHUB_TOKEN'];
    const kernel = fakeKernel({ reply: okReply("['GITHUB_TOKEN']") });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, names, trans);
    expect(result.ok).toBe(true);
    expect(result.variables).toEqual(names);
    expect(result.variables).not.toBe(names);
  });

  it('uses the given translation', async () => {
    const marked: Trans = {
      __: (msgid: string, ...args: any[]) => `T[${msgid}]${args.join('|')}`,
      _n: (s: string) => s
    };
    const kernel = fakeKernel();
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, marked);
    expect(result.message.startsWith('T[')).toBe(true);
    expectNoToken(result);
  });
});

describe('writeTokenToKernel failed replies', () => {
  it('an error reply -> execution-failed without the token', async () => {
    const kernel = fakeKernel({
      reply: {
        content: {
          status: 'error',
          ename: 'NameError',
          evalue: "name '__import__' is not defined",
          traceback: []
        }
      }
    });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(kernel.requests).toHaveLength(1);
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('execution-failed');
    expect(result.variables).toEqual([]);
    expect(result.message).toContain('NameError');
    expectNoToken(result);
  });

  it('an aborted reply -> execution-failed', async () => {
    const kernel = fakeKernel({ reply: { content: { status: 'aborted' } } });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result.problem).toBe('execution-failed');
    expect(result.message).toContain('aborted');
  });

  it('a user expression listing only GITHUB_TOKEN -> execution-failed naming GH_TOKEN', async () => {
    const kernel = fakeKernel({ reply: okReply("['GITHUB_TOKEN']") });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('execution-failed');
    expect(result.message).toContain('GH_TOKEN');
    expect(result.message).not.toContain('GITHUB_TOKEN');
    expect(result.variables).toEqual([]);
    expectNoToken(result);
  });

  it('a failed user expression -> execution-failed naming every variable', async () => {
    const kernel = fakeKernel({
      reply: {
        content: {
          status: 'ok',
          user_expressions: {
            [USER_EXPRESSION]: { status: 'error', ename: 'NameError', evalue: '', traceback: [] }
          }
        }
      }
    });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result.problem).toBe('execution-failed');
    expect(result.message).toContain('GITHUB_TOKEN, GH_TOKEN');
  });

  it('a reply without user expressions -> execution-failed', async () => {
    const kernel = fakeKernel({ reply: { content: { status: 'ok' } } });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result.problem).toBe('execution-failed');
  });
});

describe('writeTokenToKernel and debug-logging kernels', () => {
  it('checks the kernel silently, without the token, before the token-bearing request', async () => {
    const kernel = fakeKernel();
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result.ok).toBe(true);
    expect(kernel.order).toEqual(['check', 'code']);
    const check = kernel.requestExecute.mock.calls[0][0];
    expect(check).toMatchObject({ code: '', silent: true, store_history: false, allow_stdin: false });
    expectNoToken(check);
  });

  it('unlessSet: a kernel that already has a variable is left alone, asked without the token', async () => {
    const kernel = fakeKernel({ reply: okReply("['GH_TOKEN']") });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans, true);
    expect(result).toMatchObject({ ok: false, problem: 'already-set', variables: ['GH_TOKEN'] });
    expect(result.message).toContain('GH_TOKEN');
    expect(kernel.requests).toHaveLength(1);
    expectNoToken(kernel.requests);
  });

  it('unlessSet: with none set, the probe and the write go out in one turn', async () => {
    const kernel = fakeKernel();
    const replies = [okReply('[]'), okReply()];
    const execute = kernel.requestExecute.getMockImplementation()!;
    kernel.requestExecute.mockImplementation((content: Record<string, any>) => {
      const answer = execute(content);
      return isDebugCheck(content) ? answer : { done: Promise.resolve(replies.shift()) };
    });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans, true);
    expect(result.ok).toBe(true);
    expect(kernel.order).toEqual(['code', 'check', 'code']);
    expectNoToken(kernel.requests[0]);
    expect(JSON.stringify(kernel.requests[1])).toContain(TOKEN);
  });

  it('refuses a debug-logging kernel: nothing carrying the token is sent, and says what to do', async () => {
    const kernel = fakeKernel({ debugCheck: "'debug'" });
    const result = await writeTokenToKernel(fakeContext(kernel, 'Python 3 (debug)'), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result).toMatchObject({
      ok: false,
      problem: 'kernel-logs-requests',
      variables: [],
      kernelDisplayName: 'Python 3 (debug)'
    });
    expect(kernel.order).toEqual(['check']);
    expectNoToken(kernel.requestExecute.mock.calls);
    expect(result.message).toMatch(/debug logging/);
    expect(result.message).toMatch(/Restart the kernel without debug logging/);
    expect(result.message).toMatch(/Use for new kernels and terminals/);
    expectNoToken(result);
  });

  it.each([
    ['a kernel that is not ipykernel', "'unknown'"],
    ['an unexpected value', "'quiet '"],
    ['no value', '']
  ])('refuses when the check cannot tell (%s)', async (_label, value) => {
    const kernel = fakeKernel({ debugCheck: value });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result).toMatchObject({ ok: false, problem: 'kernel-logging-unknown' });
    expect(result.message).toMatch(/Use for new kernels and terminals/);
    expect(kernel.order).toEqual(['check']);
  });

  it('refuses when the check request itself fails', async () => {
    const kernel = fakeKernel({ debugCheck: { content: { status: 'error', ename: 'NameError' } } });
    const result = await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(result).toMatchObject({ ok: false, problem: 'execution-failed' });
    expect(kernel.order).toEqual(['check']);
  });

  it('checks before every write, not once per kernel', async () => {
    const kernel = fakeKernel();
    await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    await writeTokenToKernel(fakeContext(kernel), 'x.ipynb', TOKEN, NAMES, trans);
    expect(kernel.order).toEqual(['check', 'code', 'check', 'code']);
  });
});

describe('parseKernelDebugCheck', () => {
  it('reads only the exact reprs', () => {
    expect(parseKernelDebugCheck("'quiet'")).toBe('quiet');
    expect(parseKernelDebugCheck(" 'debug'\n")).toBe('debug');
    expect(parseKernelDebugCheck('quiet')).toBe('unknown');
    expect(parseKernelDebugCheck("'unknown'")).toBe('unknown');
    expect(parseKernelDebugCheck('True')).toBe('unknown');
  });
});

describe('restartKernels', () => {
  function connection(id: string, log: string[], fail = false) {
    return {
      restart: jest.fn(async () => {
        if (fail) {
          throw new Error('Kernel is dead');
        }
        log.push(`restart ${id}`);
      }),
      dispose: () => log.push(`dispose ${id}`)
    };
  }

  it("restarts through the notebook's own connection, else one of its own; gone ones count as done, failures stay", async () => {
    const log: string[] = [];
    const notebookConnection = connection('a', log);
    const manager = {
      refreshRunning: jest.fn(async () => undefined),
      running: () => ['a', 'b', 'c'].map(id => ({ id, name: 'python3' }))[Symbol.iterator](),
      connectTo: jest.fn(({ model }: { model: { id: string } }) => connection(model.id, log, model.id === 'c'))
    } as unknown as Kernel.IManager;
    const live = (id: string) => (id === 'a' ? (notebookConnection as unknown as Kernel.IKernelConnection) : undefined);
    const done = await restartKernels(manager, ['a', 'b', 'c', 'gone'], live);
    expect(done).toEqual(['a', 'b', 'gone']);
    // The notebook's connection is used, not disposed; the others are closed after use.
    expect(log).toEqual(['restart a', 'restart b', 'dispose b', 'dispose c']);
  });
});

describe('clearTokenFromKernels', () => {
  it('unsets the names silently in Python kernels; others stay listed, gone ones count as cleared', async () => {
    const sent: Array<Record<string, any>> = [];
    const disposed: string[] = [];
    const manager = {
      refreshRunning: jest.fn(async () => undefined),
      running: () => ['py', 'r'].map(id => ({ id, name: id }))[Symbol.iterator](),
      connectTo: jest.fn(({ model }: { model: { id: string } }) => ({
        info: Promise.resolve({ language_info: { name: model.id === 'py' ? 'python' : 'R' } }),
        requestExecute: (content: Record<string, any>) => {
          sent.push(content);
          return { done: Promise.resolve({ content: { status: 'ok' } }) };
        },
        dispose: () => disposed.push(model.id)
      }))
    } as unknown as Kernel.IManager;
    const done = await clearTokenFromKernels(manager, ['py', 'r', 'gone'], NAMES, trans);
    expect(done).toEqual(['py', 'gone']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ silent: true, store_history: false, allow_stdin: false, stop_on_error: false });
    expect(sent[0].code).toContain("env.pop(name, None) for name in ['GITHUB_TOKEN', 'GH_TOKEN']");
    // Connections opened for the purpose are closed, whatever happened.
    expect(disposed).toEqual(['py', 'r']);
  });
});

import { GitHubTokenModel, ITokenModelDeps } from '../../../src/model/tokenModel';
import type { IVerifyOutcomes, IVerifyRequest } from '../../../src/github/client';
import type { ApiOutcome } from '../../../src/github/responses';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import type { IServerStatus } from '../../../src/server/api';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import fakeTokens from '../../fake_github/tokens.json';

const tokens = fakeTokens.tokens;
const CLASSIC = tokens.classicRepo.token;
const READ_ONLY = tokens.classicReadOnly.token;

/** Headers as api.github.com sends them on GET /user (lowercased). */
function userHeaders(scopes: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-reset': '1795000000',
    'x-ratelimit-resource': 'core',
    'github-authentication-token-expiration': '2026-12-24 10:00:00 UTC'
  };
  if (scopes !== null) {
    headers['x-oauth-scopes'] = scopes;
  }
  return headers;
}

function userOutcome(login = 'octo', scopes: string | null = 'repo, user'): ApiOutcome {
  return {
    kind: 'response',
    response: {
      status: 200,
      headers: userHeaders(scopes),
      data: {
        login,
        id: 5101,
        name: 'Octo Scientist',
        avatar_url: 'https://avatars.githubusercontent.com/u/5101?v=4',
        html_url: `https://github.com/${login}`,
        type: 'User'
      }
    }
  };
}

function repoOutcome(fullName: string, push: boolean): ApiOutcome {
  return {
    kind: 'response',
    response: {
      status: 200,
      headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4998', 'x-ratelimit-reset': '1795000000' },
      data: {
        id: 1,
        name: fullName.split('/')[1],
        full_name: fullName,
        private: true,
        permissions: { admin: false, maintain: false, push, triage: push, pull: true }
      }
    }
  };
}

const OK_WRITE: IKernelWriteResult = {
  ok: true,
  message: 'Set GITHUB_TOKEN, GH_TOKEN in the kernel.',
  variables: ['GITHUB_TOKEN', 'GH_TOKEN'],
  kernelDisplayName: 'Python 3'
};

interface IFakeDeps extends ITokenModelDeps {
  requestVerification: jest.Mock<Promise<IVerifyOutcomes>, [IVerifyRequest]>;
  writeToKernel: jest.Mock<Promise<IKernelWriteResult>, [string, readonly string[]]>;
  saveChoice: jest.Mock<Promise<void>, ['accessLevel' | 'tokenType', string]>;
}

function fakeDeps(): IFakeDeps {
  return {
    requestVerification: jest.fn(async (_options: IVerifyRequest): Promise<IVerifyOutcomes> => ({
      user: userOutcome()
    })),
    writeToKernel: jest.fn(async (_token: string, _names: readonly string[]): Promise<IKernelWriteResult> => OK_WRITE),
    saveChoice: jest.fn(async (_key: 'accessLevel' | 'tokenType', _value: string): Promise<void> => undefined)
  };
}

/** A promise with its resolve function exposed. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('GitHubTokenModel draft and format', () => {
  it('starts empty', () => {
    const model = new GitHubTokenModel(fakeDeps());
    expect(model.draft).toBe('');
    expect(model.format).toBeNull();
    expect(model.hasToken).toBe(false);
    expect(model.masked).toBe('');
    expect(model.verifyState).toEqual({ status: 'idle' });
    expect(model.kernelWriteState).toEqual({ status: 'idle' });
    expect(model.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('checks the format of a valid classic token', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.draft = CLASSIC;
    expect(model.draft).toBe(CLASSIC);
    expect(model.format).not.toBeNull();
    expect(model.format!.ok).toBe(true);
    expect(model.format!.kind).toBe('classic');
    expect(model.hasToken).toBe(true);
  });

  it('masks the token as ghp_... and the last 4 characters, never the whole token', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.draft = CLASSIC;
    expect(model.masked).toBe(`ghp_...${CLASSIC.slice(-4)}`);
    expect(model.masked).not.toContain(CLASSIC);
    expect(model.masked).not.toContain(CLASSIC.slice(4, -4));
  });

  it('holds no token for a malformed draft (checksum typo)', () => {
    const model = new GitHubTokenModel(fakeDeps());
    // Change one character of the payload: the checksum no longer matches.
    const typo = CLASSIC.slice(0, 10) + (CLASSIC[10] === 'a' ? 'b' : 'a') + CLASSIC.slice(11);
    model.draft = typo;
    expect(model.format).not.toBeNull();
    expect(model.format!.ok).toBe(false);
    expect(model.hasToken).toBe(false);
    expect(model.masked).toBe('');
  });

  it('holds no token for a truncated draft', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.draft = CLASSIC.slice(0, -1);
    expect(model.hasToken).toBe(false);
  });

  it('emits changed on a new draft, but not when the draft is unchanged', () => {
    const model = new GitHubTokenModel(fakeDeps());
    const listener = jest.fn();
    model.changed.connect(listener);
    model.draft = CLASSIC;
    expect(listener).toHaveBeenCalledTimes(1);
    model.draft = CLASSIC;
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('clearing the draft clears the format', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.draft = CLASSIC;
    model.draft = '';
    expect(model.format).toBeNull();
    expect(model.hasToken).toBe(false);
  });
});

describe('GitHubTokenModel.forget', () => {
  it('clears draft, format, verification and kernel state and emits changed', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    await model.verify();
    await model.writeToKernel();
    expect(model.verifyState.status).toBe('done');
    expect(model.kernelWriteState.status).toBe('done');

    const listener = jest.fn();
    model.changed.connect(listener);
    model.forget();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(model.draft).toBe('');
    expect(model.format).toBeNull();
    expect(model.hasToken).toBe(false);
    expect(model.masked).toBe('');
    expect(model.verifyState).toEqual({ status: 'idle' });
    expect(model.kernelWriteState).toEqual({ status: 'idle' });
  });

  it('a verification answered after forget() does not resurrect state', async () => {
    const deps = fakeDeps();
    const pending = deferred<IVerifyOutcomes>();
    deps.requestVerification.mockReturnValueOnce(pending.promise);
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const result = model.verify();
    expect(model.verifyState).toEqual({ status: 'verifying' });
    model.forget();
    const listener = jest.fn();
    model.changed.connect(listener);
    pending.resolve({ user: userOutcome() });
    const state = await result;
    expect(state.status).toBe('done');
    expect(model.verifyState).toEqual({ status: 'idle' });
    expect(model.hasToken).toBe(false);
    expect(model.draft).toBe('');
    expect(listener).not.toHaveBeenCalled();
  });

  it('a verification answered after the token was replaced does not apply to the new token', async () => {
    const deps = fakeDeps();
    const pending = deferred<IVerifyOutcomes>();
    deps.requestVerification.mockReturnValueOnce(pending.promise);
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const result = model.verify();
    model.draft = READ_ONLY;
    pending.resolve({ user: userOutcome() });
    await result;
    expect(model.verifyState).toEqual({ status: 'idle' });
  });
});

describe('GitHubTokenModel.verify', () => {
  it('does nothing without a token', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    const state = await model.verify();
    expect(state).toEqual({ status: 'idle' });
    expect(deps.requestVerification).not.toHaveBeenCalled();
  });

  it('does nothing for a malformed token', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = 'ghp_short';
    const state = await model.verify();
    expect(state).toEqual({ status: 'idle' });
    expect(model.verifyState).toEqual({ status: 'idle' });
    expect(deps.requestVerification).not.toHaveBeenCalled();
  });

  it('repositoryProblem is non-empty for "not a repo", empty for "octo-org/x" and for ""', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.repository = 'not a repo';
    expect(model.repositoryProblem).not.toBe('');
    expect(model.repositoryProblem).toMatch(/owner\/name/);
    model.repository = 'octo-org/x';
    expect(model.repositoryProblem).toBe('');
    model.repository = '';
    expect(model.repositoryProblem).toBe('');
    model.repository = 'https://github.com/octo-org/x.git';
    expect(model.repositoryProblem).toBe('');
  });

  it('does nothing when the repository field is invalid', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    model.repository = 'not a repo';
    const state = await model.verify();
    expect(state).toEqual({ status: 'idle' });
    expect(deps.requestVerification).not.toHaveBeenCalled();
  });

  it('calls requestVerification once with the token, settings and no repository', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const state = await model.verify();
    expect(deps.requestVerification).toHaveBeenCalledTimes(1);
    expect(deps.requestVerification).toHaveBeenCalledWith({
      token: CLASSIC,
      apiBaseUrl: 'https://api.github.com',
      repository: undefined,
      timeoutMs: DEFAULT_SETTINGS.requestTimeoutSeconds * 1000
    });
    expect(state.status).toBe('done');
    expect(model.verifyState).toBe(state);
    if (state.status !== 'done') {
      throw new Error('not done');
    }
    expect(state.report.ok).toBe(true);
    expect(state.report.account?.login).toBe('octo');
    expect(state.report.scopes).toEqual(['repo', 'user']);
    expect(state.report.tokenKind).toBe('classic');
    expect(state.repository).toBeUndefined();
    expect(JSON.stringify(state)).not.toContain(CLASSIC);
  });

  it('passes the repository and the configured API URL and timeout', async () => {
    const deps = fakeDeps();
    deps.requestVerification.mockResolvedValueOnce({
      user: userOutcome(),
      repo: repoOutcome('octo-org/x', true)
    });
    const model = new GitHubTokenModel(deps);
    model.settings = {
      ...DEFAULT_SETTINGS,
      apiBaseUrl: 'https://ghe.example.com/api/v3',
      webBaseUrl: 'https://ghe.example.com',
      requestTimeoutSeconds: 7
    };
    model.draft = `  ${CLASSIC}\n`;
    model.repository = ' octo-org/x ';
    const state = await model.verify();
    expect(deps.requestVerification).toHaveBeenCalledTimes(1);
    expect(deps.requestVerification).toHaveBeenCalledWith({
      token: CLASSIC,
      apiBaseUrl: 'https://ghe.example.com/api/v3',
      repository: { owner: 'octo-org', repo: 'x' },
      timeoutMs: 7000
    });
    expect(state.status).toBe('done');
    if (state.status === 'done') {
      expect(state.repository).toBe('octo-org/x');
      expect(state.report.repo?.reachable).toBe(true);
      expect(state.report.repo?.canPush).toBe(true);
      expect(state.report.ok).toBe(true);
    }
  });

  it('reports a missing scope for read-write access with a read:user token', async () => {
    const deps = fakeDeps();
    deps.requestVerification.mockResolvedValueOnce({ user: userOutcome('octo-reader', 'read:user') });
    const model = new GitHubTokenModel(deps);
    model.draft = READ_ONLY;
    const state = await model.verify();
    expect(state.status === 'done' && state.report.missingScopes).toEqual(['repo']);
    expect(state.status === 'done' && state.report.ok).toBe(false);
  });

  it('emits verifying then done', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const seen: string[] = [];
    model.changed.connect(() => seen.push(model.verifyState.status));
    await model.verify();
    expect(seen).toEqual(['verifying', 'done']);
  });

  it('does not start a second verification while one is running', async () => {
    const deps = fakeDeps();
    const pending = deferred<IVerifyOutcomes>();
    deps.requestVerification.mockReturnValueOnce(pending.promise);
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const first = model.verify();
    const second = await model.verify();
    expect(second).toEqual({ status: 'verifying' });
    pending.resolve({ user: userOutcome() });
    await first;
    expect(deps.requestVerification).toHaveBeenCalledTimes(1);
  });

  it('a rejected requestVerification (Octokit chunk failed) gives an unreachable report', async () => {
    const deps = fakeDeps();
    deps.requestVerification.mockRejectedValueOnce(new Error('Loading chunk octokit failed.'));
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const state = await model.verify();
    expect(state.status).toBe('done');
    expect(model.verifyState).toBe(state);
    if (state.status !== 'done') {
      throw new Error('not done');
    }
    expect(state.report.ok).toBe(false);
    expect(state.report.problem?.code).toBe('unreachable');
    expect(JSON.stringify(state)).not.toContain(CLASSIC);
  });

  it('uses the access level from the settings for the report', async () => {
    const deps = fakeDeps();
    deps.requestVerification.mockResolvedValueOnce({ user: userOutcome('octo', 'repo') });
    const model = new GitHubTokenModel(deps);
    await model.choose('accessLevel', 'read-only');
    model.draft = CLASSIC;
    const state = await model.verify();
    expect(state.status === 'done' && state.report.excessWrite).toBe(true);
  });
});

describe('GitHubTokenModel.choose and settings', () => {
  it('choose saves the choice and updates the settings', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    const listener = jest.fn();
    model.changed.connect(listener);
    await model.choose('accessLevel', 'read-only');
    expect(deps.saveChoice).toHaveBeenCalledTimes(1);
    expect(deps.saveChoice).toHaveBeenCalledWith('accessLevel', 'read-only');
    expect(model.settings.accessLevel).toBe('read-only');
    expect(listener).toHaveBeenCalled();
    // The defaults themselves are not mutated.
    expect(DEFAULT_SETTINGS.accessLevel).toBe('read-write');
  });

  it('choose resets the checklist and the verification', async () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.toggleChecklistItem('scopes');
    expect(model.isChecked('scopes')).toBe(true);
    model.draft = CLASSIC;
    await model.verify();
    expect(model.verifyState.status).toBe('done');
    await model.choose('tokenType', 'fine-grained');
    expect(model.settings.tokenType).toBe('fine-grained');
    expect(model.isChecked('scopes')).toBe(false);
    expect(model.verifyState).toEqual({ status: 'idle' });
    // The token itself is kept.
    expect(model.hasToken).toBe(true);
  });

  it('choose works without saveChoice', async () => {
    const deps: ITokenModelDeps = {
      requestVerification: jest.fn(),
      writeToKernel: jest.fn()
    };
    const model = new GitHubTokenModel(deps);
    await expect(model.choose('accessLevel', 'read-write-public')).resolves.toBeUndefined();
    expect(model.settings.accessLevel).toBe('read-write-public');
  });

  it('toggleChecklistItem ticks and unticks', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.toggleChecklistItem('copy');
    expect(model.isChecked('copy')).toBe(true);
    model.toggleChecklistItem('copy');
    expect(model.isChecked('copy')).toBe(false);
  });

  it('new settings update the repository only while it still is the default', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.settings = { ...DEFAULT_SETTINGS, defaultRepository: 'octo-org/a' };
    expect(model.repository).toBe('octo-org/a');
    model.repository = 'octo-org/mine';
    model.settings = { ...DEFAULT_SETTINGS, defaultRepository: 'octo-org/b' };
    expect(model.repository).toBe('octo-org/mine');
  });

  it('step changes emit once', () => {
    const model = new GitHubTokenModel(fakeDeps());
    const listener = jest.fn();
    model.changed.connect(listener);
    model.step = 'verify';
    model.step = 'verify';
    expect(model.step).toBe('verify');
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('GitHubTokenModel.writeToKernel', () => {
  it('does nothing without a token', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    expect(await model.writeToKernel()).toBeNull();
    model.draft = 'ghp_short';
    expect(await model.writeToKernel()).toBeNull();
    expect(deps.writeToKernel).not.toHaveBeenCalled();
  });

  it('passes the normalized token and the environment variables of the settings', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.settings = { ...DEFAULT_SETTINGS, environmentVariables: ['MY_GH', 'OTHER_TOKEN'] };
    model.draft = `\n  ${CLASSIC}  \r\n`;
    const seen: string[] = [];
    model.changed.connect(() => seen.push(model.kernelWriteState.status));
    const result = await model.writeToKernel();
    expect(deps.writeToKernel).toHaveBeenCalledTimes(1);
    expect(deps.writeToKernel).toHaveBeenCalledWith(CLASSIC, ['MY_GH', 'OTHER_TOKEN']);
    expect(result).toBe(OK_WRITE);
    expect(model.kernelWriteState).toEqual({ status: 'done', result: OK_WRITE });
    expect(seen).toEqual(['writing', 'done']);
  });

  it('uses GITHUB_TOKEN and GH_TOKEN by default', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    await model.writeToKernel();
    expect(deps.writeToKernel).toHaveBeenCalledWith(CLASSIC, ['GITHUB_TOKEN', 'GH_TOKEN']);
  });

  it('a thrown error becomes a result with ok false', async () => {
    const deps = fakeDeps();
    deps.writeToKernel.mockRejectedValueOnce(new Error('Kernel is disposed'));
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const result = await model.writeToKernel();
    expect(result).not.toBeNull();
    expect(result!.ok).toBe(false);
    expect(result!.problem).toBe('execution-failed');
    expect(result!.variables).toEqual([]);
    expect(result!.message).toContain('Kernel is disposed');
    expect(model.kernelWriteState).toEqual({ status: 'done', result });
  });

  it('does not start a second write while one is running', async () => {
    const deps = fakeDeps();
    const pending = deferred<IKernelWriteResult>();
    deps.writeToKernel.mockReturnValueOnce(pending.promise);
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const first = model.writeToKernel();
    expect(model.kernelWriteState).toEqual({ status: 'writing' });
    expect(await model.writeToKernel()).toBeNull();
    pending.resolve(OK_WRITE);
    await first;
    expect(deps.writeToKernel).toHaveBeenCalledTimes(1);
  });

  it('a new draft resets the kernel write state', async () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.draft = CLASSIC;
    await model.writeToKernel();
    model.draft = READ_ONLY;
    expect(model.kernelWriteState).toEqual({ status: 'idle' });
  });
});

describe('GitHubTokenModel focus requests', () => {
  it('nothing is pending at first', () => {
    const model = new GitHubTokenModel(fakeDeps());
    expect(model.takeFocusRequest()).toBe(false);
  });

  it('a request is pending until taken once, and emits focusRequested', () => {
    const model = new GitHubTokenModel(fakeDeps());
    const listener = jest.fn();
    model.focusRequested.connect(listener);
    model.requestFocus();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(model.takeFocusRequest()).toBe(true);
    expect(model.takeFocusRequest()).toBe(false);
  });

  it('two requests are taken as one', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.requestFocus();
    model.requestFocus();
    expect(model.takeFocusRequest()).toBe(true);
    expect(model.takeFocusRequest()).toBe(false);
  });
});

describe('GitHubTokenModel known issues', () => {
  // BUG (src/tokenModel.ts, verify()): choose() resets the verification to
  // idle, but a verification already in flight still lands afterwards, with
  // a report built for the access level captured before choose(). Here the
  // report says "lacks the scope repo" although read-only access (which needs
  // no scope) is now chosen. `it.failing` passes while the bug exists; when
  // it is fixed, turn this into a plain `it`.
  it('a verification answered after choose() does not land with a stale report', async () => {
    const deps = fakeDeps();
    const pending = deferred<IVerifyOutcomes>();
    deps.requestVerification.mockReturnValueOnce(pending.promise);
    const model = new GitHubTokenModel(deps);
    model.draft = READ_ONLY;
    const result = model.verify();
    await model.choose('accessLevel', 'read-only');
    expect(model.verifyState).toEqual({ status: 'idle' });
    pending.resolve({ user: userOutcome('octo-reader', 'read:user') });
    await result;
    const state = model.verifyState;
    expect(state.status === 'done' && state.report.missingScopes.length > 0).toBe(false);
    expect(state).toEqual({ status: 'idle' });
  });
});

describe('GitHubTokenModel safeguards', () => {
  it('never sends the token over plain http except to this machine', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: 'http://github.example.com/api/v3' };
    expect(model.apiUrlProblem).toMatch(/not https/);
    expect(model.apiUrlProblem).not.toContain(CLASSIC);
    await model.verify();
    expect(deps.requestVerification).not.toHaveBeenCalled();
    expect(model.verifyState).toEqual({ status: 'idle' });

    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: 'not a url' };
    expect(model.apiUrlProblem).toMatch(/not a URL/);

    for (const ok of ['https://github.example.com/api/v3', 'http://127.0.0.1:8765', 'http://localhost:1']) {
      model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: ok };
      expect(model.apiUrlProblem).toBe('');
    }
    expect(model.apiHost).toBe('localhost:1');
    deps.requestVerification.mockResolvedValueOnce({ user: userOutcome() });
    await model.verify();
    expect(deps.requestVerification).toHaveBeenCalledTimes(1);
  });

  it('lets a malformed draft be forgotten', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.draft = 'ghp_not a token';
    expect(model.hasToken).toBe(false);
    expect(model.hasDraft).toBe(true);
    model.forget();
    expect(model.hasDraft).toBe(false);
    expect(model.draft).toBe('');
  });

  it('goTo changes the step and asks the view for focus', () => {
    const model = new GitHubTokenModel(fakeDeps());
    const focus = jest.fn();
    model.focusRequested.connect(focus);
    model.goTo('use');
    expect(model.step).toBe('use');
    expect(focus).toHaveBeenCalledTimes(1);
    expect(model.takeFocusRequest()).toBe(true);
  });
});

describe('GitHubTokenModel with and without the server extension', () => {
  const status: IServerStatus = {
    held: false,
    masked: null,
    login: null,
    expiresAt: null,
    variables: ['GITHUB_TOKEN', 'GH_TOKEN'],
    kernels: [],
    gitHosts: ['https://github.com'],
    allowedApiBaseUrls: ['https://api.github.com'],
    forgetsOnRestart: true,
    terminals: [],
    stillRunningTerminals: [],
    apiBaseUrl: null
  };

  /** A `GET /user` answer without the expiry header (what a browser sees, or a token that never expires). */
  function userWithoutExpiry(): ApiOutcome {
    const outcome = userOutcome();
    if (outcome.kind === 'response') {
      delete outcome.response.headers['github-authentication-token-expiration'];
    }
    return outcome;
  }

  function serverDeps(present: boolean) {
    const serverFetch = jest.fn() as unknown as typeof fetch;
    const server = {
      status: jest.fn(async (): Promise<IServerStatus | null> => (present ? { ...status } : null)),
      hold: jest.fn(async (_body: unknown): Promise<IServerStatus> => ({
        ...status,
        held: true,
        masked: 'ghp_...xxxx'
      })),
      forget: jest.fn(async (): Promise<IServerStatus> => ({ ...status, held: false, stillRunning: ['k1'] })),
      fetchFor: jest.fn(() => serverFetch)
    };
    const deps = { ...fakeDeps(), server, clearKernels: jest.fn(async (ids: readonly string[]) => [...ids]) };
    return { deps, server, serverFetch };
  }

  it('without it, verifies from the browser and says the expiry could not be seen', async () => {
    const { deps, server } = serverDeps(false);
    const model = new GitHubTokenModel(deps);
    expect(await model.refreshServer()).toBeNull();
    model.draft = CLASSIC;
    deps.requestVerification.mockResolvedValueOnce({ user: userWithoutExpiry() });
    const state = await model.verify();
    expect(deps.requestVerification.mock.calls[0][0].fetch).toBeUndefined();
    expect(server.fetchFor).not.toHaveBeenCalled();
    expect(state.status === 'done' && state.report.expiresAt).toBeUndefined();
    expect(state.status === 'done' && state.report.notes.join(' ')).toMatch(/cannot see the token's expiry/);
    expect(await model.useForNewKernels(true)).toMatch(/not enabled/);
  });

  it('with it, verifies through the server, where a missing expiry header means "never"', async () => {
    const { deps, server, serverFetch } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    deps.requestVerification.mockResolvedValueOnce({ user: userWithoutExpiry() });
    const state = await model.verify();
    expect(server.fetchFor).toHaveBeenCalledWith(DEFAULT_SETTINGS.apiBaseUrl);
    expect(deps.requestVerification.mock.calls[0][0].fetch).toBe(serverFetch);
    expect(state.status === 'done' && state.report.expiresAt).toBeNull();
  });

  it('verifies from the browser when the server may not call the configured API', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: 'https://github.example.com/api/v3' };
    model.draft = CLASSIC;
    deps.requestVerification.mockResolvedValueOnce({ user: userWithoutExpiry() });
    const state = await model.verify();
    expect(server.fetchFor).not.toHaveBeenCalled();
    expect(deps.requestVerification.mock.calls[0][0].fetch).toBeUndefined();
    expect(state.status === 'done' && state.report.notes.join(' ')).toMatch(/cannot see the token's expiry/);
  });

  it('reports a server that fails to forget', async () => {
    const { deps, server } = serverDeps(true);
    server.forget.mockRejectedValueOnce(new Error('Forbidden'));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    model.forget();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(server.forget).toHaveBeenCalledTimes(1);
    expect(model.serverError).toMatch(/could not forget the token: Forbidden/);
  });

  it('hands the token to the server, and after Forget lists and clears the kernels that still hold it', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    expect(await model.useForNewKernels(true)).toBe('');
    expect(server.hold).toHaveBeenCalledWith(
      expect.objectContaining({ token: CLASSIC, variables: DEFAULT_SETTINGS.environmentVariables })
    );
    expect(model.usedForNewKernels).toBe(true);
    model.forget();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(server.forget).toHaveBeenCalledTimes(1);
    expect(model.usedForNewKernels).toBe(false);
    expect(model.kernelsHoldingToken).toEqual(['k1']);
    expect(model.kernelsHoldingTokenLabels).toEqual(['kernel k1']);
    expect(await model.clearKernels()).toEqual(['k1']);
    expect(deps.clearKernels).toHaveBeenCalledWith(['k1'], DEFAULT_SETTINGS.environmentVariables);
    expect(model.kernelsHoldingToken).toEqual([]);
  });

  it('sends the API base URL the token was verified against, even if the setting changed since', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    await model.verify();
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: 'https://github.example.com/api/v3' };
    expect(await model.useForNewKernels(true)).toBe('');
    expect(server.hold).toHaveBeenCalledWith(
      expect.objectContaining({ apiBaseUrl: DEFAULT_SETTINGS.apiBaseUrl, login: 'octo' })
    );
  });

  it('sends the configured API base URL for a token not verified yet', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: 'https://github.example.com/api/v3' };
    model.draft = CLASSIC;
    await model.useForNewKernels(true);
    expect(server.hold.mock.calls[0]).toEqual([
      expect.objectContaining({ apiBaseUrl: 'https://github.example.com/api/v3' })
    ]);
  });

  it('names the host the server-held token is bound to, and says when it is not the configured one', async () => {
    const { deps, server } = serverDeps(true);
    server.status.mockResolvedValueOnce({
      ...status,
      held: true,
      masked: 'ghp_...xxxx',
      apiBaseUrl: 'https://github.example.com/api/v3'
    });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.serverTokenHost).toBe('github.example.com');
    expect(model.serverTokenForOtherHost).toBe(true);
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: 'https://github.example.com/api/v3/' };
    expect(model.serverTokenForOtherHost).toBe(false);
  });

  it('an older server (no apiBaseUrl) names no host', async () => {
    const { deps, server } = serverDeps(true);
    server.status.mockResolvedValueOnce({ ...status, held: true, masked: 'ghp_...xxxx' });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.serverTokenHost).toBe('');
    expect(model.serverTokenForOtherHost).toBe(false);
  });

  it('after clearing kernels, offers to restart them (their initial environment keeps the token)', async () => {
    const { deps } = serverDeps(true);
    const restartKernels = jest.fn(async (ids: readonly string[]) => ids.filter(id => id !== 'k2'));
    const model = new GitHubTokenModel({ ...deps, restartKernels });
    await model.refreshServer();
    model.draft = CLASSIC;
    await model.useForNewKernels(true);
    model.forget();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.canRestartKernels).toBe(true);
    await model.clearKernels();
    expect(model.kernelsHoldingToken).toEqual([]);
    expect(model.kernelsToRestart).toEqual(['k1']);
    expect(model.kernelsToRestartLabels).toEqual(['kernel k1']);
    expect(await model.restartKernels()).toEqual(['k1']);
    expect(restartKernels).toHaveBeenCalledWith(['k1']);
    expect(model.kernelsToRestart).toEqual([]);
  });

  it('restarts kernels that were not cleared too, and keeps those that failed', async () => {
    const { deps, server } = serverDeps(true);
    server.forget.mockResolvedValueOnce({ ...status, held: false, stillRunning: ['k1', 'k2'] });
    const restartKernels = jest.fn(async (ids: readonly string[]) => ids.filter(id => id !== 'k2'));
    const model = new GitHubTokenModel({ ...deps, restartKernels });
    await model.refreshServer();
    model.draft = CLASSIC;
    model.forget();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(await model.restartKernels()).toEqual(['k1']);
    expect(restartKernels).toHaveBeenCalledWith(['k1', 'k2']);
    expect(model.kernelsHoldingToken).toEqual(['k2']);
  });

  it('after Forget, lists the terminals started with the token and closes them', async () => {
    const { deps, server } = serverDeps(true);
    server.forget.mockResolvedValueOnce({
      ...status,
      held: false,
      stillRunning: [],
      stillRunningTerminals: ['1', '3']
    });
    const shutdown = jest.fn(async (_name: string) => undefined);
    const model = new GitHubTokenModel({ ...deps, terminals: { shutdown } });
    await model.refreshServer();
    model.draft = CLASSIC;
    model.forget();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.terminalsHoldingToken).toEqual(['1', '3']);
    expect(model.canCloseTerminals).toBe(true);
    expect(await model.closeTerminals()).toEqual(['1', '3']);
    expect(shutdown.mock.calls).toEqual([['1'], ['3']]);
    expect(model.terminalsHoldingToken).toEqual([]);
    expect(model.terminalError).toBe('');
  });

  it('keeps a terminal that could not be closed, counts one already gone (404) as closed', async () => {
    const { deps, server } = serverDeps(true);
    server.forget.mockResolvedValueOnce({ ...status, held: false, stillRunningTerminals: ['1', '2'] });
    const shutdown = jest.fn(async (name: string) => {
      throw name === '1'
        ? Object.assign(new Error('Not Found'), { response: { status: 404 } })
        : new Error('Forbidden');
    });
    const model = new GitHubTokenModel({ ...deps, terminals: { shutdown } });
    await model.refreshServer();
    model.draft = CLASSIC;
    model.forget();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(await model.closeTerminals()).toEqual(['1']);
    expect(model.terminalsHoldingToken).toEqual(['2']);
    expect(model.terminalError).toMatch(/Terminal 2 could not be closed/);
  });

  it('lists terminals of a token forgotten elsewhere (status, not held), none while held', async () => {
    const { deps, server } = serverDeps(true);
    server.status.mockResolvedValueOnce({ ...status, held: true, terminals: ['1'] });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.terminalsHoldingToken).toEqual([]);
    server.status.mockResolvedValueOnce({ ...status, held: false, terminals: ['4'] });
    await model.refreshServer();
    expect(model.terminalsHoldingToken).toEqual(['4']);
  });
});

describe('GitHubTokenModel notebook field', () => {
  const TOKEN = (fakeTokens as any).tokens.classicRepo.token as string;
  const widget = {
    kind: 'widget' as const,
    id: '4ec0c17515004facba0716172ecfcf09',
    widgetClass: 'Password',
    description: 'Token',
    names: ['github_token'],
    empty: true
  };
  const cell = {
    kind: 'assignment' as const,
    cellIndex: 0,
    line: 0,
    variable: 'GH_TOKEN',
    current: 'empty' as const,
    preview: 'GH_TOKEN = ""'
  };
  const FILLED: IKernelWriteResult = { ok: true, message: 'Filled.', variables: [], kernelId: 'k1' };

  function withFields(candidates: any[]) {
    const deps = fakeDeps();
    const findFields = jest.fn(async (_fieldName: string) => ({
      candidates,
      message: candidates.length ? '' : 'Looked for X.'
    }));
    const fillField = jest.fn(async (..._args: any[]) => FILLED);
    const model = new GitHubTokenModel({ ...deps, findFields, fillField });
    model.draft = TOKEN;
    return { model, findFields, fillField };
  }

  it('does nothing without a token', async () => {
    const { model, findFields } = withFields([widget]);
    model.draft = '';
    expect(await model.writeToNotebookField()).toBeNull();
    expect(findFields).not.toHaveBeenCalled();
  });

  it('one candidate: fills it at once, assignment cells through the environment', async () => {
    const { model, findFields, fillField } = withFields([cell]);
    const result = await model.writeToNotebookField();
    expect(findFields).toHaveBeenCalledWith('GitHub-token');
    expect(fillField).toHaveBeenCalledWith(cell, TOKEN, 'env', ['GITHUB_TOKEN', 'GH_TOKEN'], 'GitHub-token');
    expect(result).toBe(FILLED);
    expect(model.fieldState).toEqual({ status: 'done', result: FILLED });
  });

  it('several: lists them and waits for the pick; the pick fills that one', async () => {
    const { model, fillField } = withFields([widget, cell]);
    const result = await model.writeToNotebookField();
    expect(result).toMatchObject({ ok: false, problem: 'several-fields' });
    expect(model.fieldState).toEqual({ status: 'choose', candidates: [widget, cell] });
    expect(fillField).not.toHaveBeenCalled();
    await model.fillField(cell, 'literal');
    expect(fillField).toHaveBeenCalledWith(cell, TOKEN, 'literal', expect.anything(), 'GitHub-token');
    expect(model.fieldState.status).toBe('done');
  });

  it('none: says what was looked for', async () => {
    const { model } = withFields([]);
    const result = await model.writeToNotebookField();
    expect(result).toEqual({ ok: false, problem: 'no-field', message: 'Looked for X.', variables: [] });
  });

  it('a kernel that received the variables is remembered for Forget to clear', async () => {
    const { model } = withFields([cell]);
    await model.writeToNotebookField();
    expect(model.kernelsHoldingToken).toEqual(['k1']);
  });

  it('a new token or Forget clears the field state; an answer for the old token is dropped', async () => {
    const { model, fillField } = withFields([widget]);
    let release!: (r: IKernelWriteResult) => void;
    fillField.mockImplementationOnce(() => new Promise<IKernelWriteResult>(resolve => (release = resolve)));
    const pending = model.writeToNotebookField();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.fieldState.status).toBe('writing');
    model.forget();
    expect(model.fieldState).toEqual({ status: 'idle' });
    release(FILLED);
    expect(await pending).toBeNull();
    expect(model.fieldState).toEqual({ status: 'idle' });
  });
});

/** Verify, through the model: what is sent, what the report says, stale answers dropped. */
import { GitHubTokenModel } from '../../../src/model/tokenModel';
import { repositoryProblem, verifyToken } from '../../../src/model/verification';
import type { GitHubTransport, IVerifyOutcomes } from '../../../src/github/client';
import { checkTokenFormat } from '../../../src/token/format';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import { trans } from '../support/trans';
import { CLASSIC, deferred, fakeDeps, READ_ONLY, repoOutcome, userOutcome } from './fixtures';

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
    model.stateChanged.connect(() => seen.push(model.verifyState.status));
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

describe('GitHubTokenModel known issues', () => {
  // BUG (src/model/verification.ts, run()): choose() resets the verification to
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

describe('verifyToken and repositoryProblem (pure)', () => {
  const format = checkTokenFormat(CLASSIC, trans);

  it('repositoryProblem asks for owner/name, and accepts empty or valid text', () => {
    expect(repositoryProblem('not a repo', trans)).toMatch(/owner\/name/);
    expect(repositoryProblem('  ', trans)).toBe('');
    expect(repositoryProblem(' octo-org/x ', trans)).toBe('');
  });

  it('hands the transport on, and through it reports complete headers (no browser note)', async () => {
    const transport = jest.fn() as jest.MockedFunction<GitHubTransport>;
    const requestVerification = jest.fn(async (): Promise<IVerifyOutcomes> => ({ user: userOutcome() }));
    const { state, verifiedAgainst } = await verifyToken(
      { format, repository: '', settings: DEFAULT_SETTINGS, transport },
      requestVerification,
      trans
    );
    expect(requestVerification).toHaveBeenCalledWith(expect.objectContaining({ token: CLASSIC, transport }));
    expect(verifiedAgainst).toBe(DEFAULT_SETTINGS.apiBaseUrl);
    expect(state.status === 'done' && state.report.notes.join(' ')).not.toMatch(/cannot see the token's expiry/);
    expect(state.status === 'done' && state.report.expiresAt).toEqual(new Date('2026-12-24T10:00:00Z'));
  });

  it('never rejects: a failure to start is an unreachable report, verified against nothing', async () => {
    const { state, verifiedAgainst } = await verifyToken(
      { format, repository: 'octo-org/x', settings: DEFAULT_SETTINGS },
      async () => {
        throw new Error('Loading chunk octokit failed.');
      },
      trans
    );
    expect(verifiedAgainst).toBe('');
    expect(state.status === 'done' && state.report.problem?.code).toBe('unreachable');
    expect(state.status === 'done' && state.repository).toBeUndefined();
  });
});

/** The model itself: the draft, Forget, the settings, the steps and focus. */
import { GitHubTokenModel, ITokenModelDeps } from '../../../src/model/tokenModel';
import { VDomModel } from '@jupyterlab/ui-components';
import type { IVerifyOutcomes } from '../../../src/github/client';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import { trans } from '../support/trans';
import {
  CLASSIC,
  deferred,
  fakeDeps,
  heldEntry,
  holding,
  READ_ONLY,
  serverDeps,
  settle,
  userOutcome
} from './fixtures';

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

  it('emits stateChanged on a new draft, but not when the draft is unchanged', () => {
    const model = new GitHubTokenModel(fakeDeps());
    const listener = jest.fn();
    model.stateChanged.connect(listener);
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
  it('clears draft, format, verification and kernel state and emits stateChanged', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    await model.verify();
    await model.writeToKernel();
    expect(model.verifyState.status).toBe('done');
    expect(model.kernelWriteState.status).toBe('done');

    const listener = jest.fn();
    model.stateChanged.connect(listener);
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
    model.stateChanged.connect(listener);
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
    const second = deferred<IVerifyOutcomes>();
    deps.requestVerification.mockReturnValueOnce(pending.promise).mockReturnValueOnce(second.promise);
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const result = model.verify();
    // The new token verifies itself (pasted), in its own round.
    model.draft = READ_ONLY;
    pending.resolve({ user: userOutcome() });
    await result;
    expect(deps.requestVerification).toHaveBeenCalledTimes(2);
    expect(deps.requestVerification.mock.calls[1][0].token).toBe(READ_ONLY);
    expect(model.verifyState).toEqual({ status: 'verifying' });
    second.resolve({ user: userOutcome('octo-reader', 'read:user') });
    await settle();
    expect(model.login).toBe('octo-reader');
  });
});

describe('GitHubTokenModel.choose and settings', () => {
  it('choose saves the choice and updates the settings', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    const listener = jest.fn();
    model.stateChanged.connect(listener);
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
      writeToKernel: jest.fn(),
      trans
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
    model.stateChanged.connect(listener);
    model.step = 'verify';
    model.step = 'verify';
    expect(model.step).toBe('verify');
    expect(listener).toHaveBeenCalledTimes(1);
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

describe('GitHubTokenModel as a VDomModel', () => {
  it('is a VDomModel whose stateChanged is the signal of every change', () => {
    const model = new GitHubTokenModel(fakeDeps());
    expect(model).toBeInstanceOf(VDomModel);
    const listener = jest.fn();
    model.stateChanged.connect(listener);
    model.repository = 'octo-org/mine';
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0][0]).toBe(model);
  });

  it('dispose() drops the token and disconnects every listener, once', () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.draft = CLASSIC;
    const changed = jest.fn();
    const focus = jest.fn();
    model.stateChanged.connect(changed);
    model.focusRequested.connect(focus);
    model.dispose();
    expect(model.isDisposed).toBe(true);
    expect(model.hasToken).toBe(false);
    expect(model.draft).toBe('');
    expect(model.format).toBeNull();
    expect(changed).not.toHaveBeenCalled();
    model.repository = 'octo-org/mine';
    model.requestFocus();
    expect(changed).not.toHaveBeenCalled();
    expect(focus).not.toHaveBeenCalled();
    model.dispose();
    expect(model.isDisposed).toBe(true);
  });

  it('a verification answered after dispose() is ignored', async () => {
    const deps = fakeDeps();
    const pending = deferred<IVerifyOutcomes>();
    deps.requestVerification.mockReturnValueOnce(pending.promise);
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    const result = model.verify();
    model.dispose();
    pending.resolve({ user: userOutcome() });
    await result;
    expect(model.verifyState).toEqual({ status: 'idle' });
    expect(model.login).toBeNull();
  });

  it('dispose() is not Forget: the server keeps what it holds', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.dispose();
    expect(server.forget).not.toHaveBeenCalled();
  });
});

describe('GitHubTokenModel.openWhereUserIs', () => {
  it('no token: the first step; a draft: the paste step; a verified or held token: its use', async () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.step = 'create';
    await model.openWhereUserIs();
    expect(model.step).toBe('access');
    expect(model.takeFocusRequest()).toBe(true);
    model.draft = 'ghp_not a token';
    await model.openWhereUserIs();
    expect(model.step).toBe('verify');
    model.draft = CLASSIC;
    await settle();
    expect(model.verifyState.status).toBe('done');
    model.step = 'access';
    await model.openWhereUserIs();
    expect(model.step).toBe('use');
  });

  it('a token the server holds (e.g. after a reload) opens at its use', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    await model.openWhereUserIs();
    expect(model.step).toBe('use');
  });

  it('opened before the server answered: waits for its status, then opens at the held token', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()));
    const model = new GitHubTokenModel(deps);
    expect(model.server).toBeUndefined();
    await model.openWhereUserIs();
    expect(model.step).toBe('use');
  });

  it("the server's first answer moves an untouched panel to the held token; a user who moved stays", async () => {
    const untouched = serverDeps(true);
    untouched.server.preset(holding(heldEntry()));
    const first = new GitHubTokenModel(untouched.deps);
    await first.refreshServer();
    expect(first.step).toBe('use');

    const moved = serverDeps(true);
    moved.server.preset(holding(heldEntry()));
    const second = new GitHubTokenModel(moved.deps);
    second.step = 'create';
    await second.refreshServer();
    expect(second.step).toBe('create');
  });
});

describe('GitHubTokenModel auto-verify', () => {
  it('a pasted well-formed token is verified once without a click', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    expect(deps.requestVerification).not.toHaveBeenCalled();
    await settle();
    expect(deps.requestVerification).toHaveBeenCalledTimes(1);
    expect(model.verifyState.status).toBe('done');
    expect(model.login).toBe('octo');
    // The page-only path (no extension) keeps the draft.
    expect(model.draft).toBe(CLASSIC);
  });

  it('a malformed or empty draft is not verified', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC.slice(0, -1);
    await settle();
    model.draft = '';
    await settle();
    expect(deps.requestVerification).not.toHaveBeenCalled();
  });

  it('an explicit verify() right after the paste is the one round', async () => {
    const deps = fakeDeps();
    const model = new GitHubTokenModel(deps);
    model.draft = CLASSIC;
    await model.verify();
    await settle();
    expect(deps.requestVerification).toHaveBeenCalledTimes(1);
  });
});

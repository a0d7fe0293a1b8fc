/**
 * The server extension as the model sees it (status v2): verifying through it,
 * the token it holds for the settings' API base URL (every tab and reload shows
 * it), holding after Verify, Forget, its events, the keychain choice.
 */
import { GitHubTokenModel } from '../../../src/model/tokenModel';
import { sameApiBaseUrl } from '../../../src/server/api';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import type { GitHubTransport } from '../../../src/github/client';
import {
  CLASSIC,
  heldEntry,
  holding,
  READ_ONLY,
  serverDeps,
  serverStatus as status,
  settle,
  userOutcome,
  userWithoutExpiry
} from './fixtures';

const API = DEFAULT_SETTINGS.apiBaseUrl;
const GHE = 'https://github.example.com/api/v3';

/** The transport given to the verification is the server's (worded failures around it, see serverState). */
async function expectServerTransport(
  transport: GitHubTransport | undefined,
  github: jest.MockedFunction<GitHubTransport>
): Promise<void> {
  expect(transport).toBeDefined();
  const answer = { status: 200, headers: {}, data: {} };
  github.mockResolvedValueOnce(answer);
  const request = { apiBaseUrl: API, path: '/user', token: 'x', signal: new AbortController().signal };
  await expect(transport!(request)).resolves.toBe(answer);
  expect(github).toHaveBeenLastCalledWith(request);
}

describe('GitHubTokenModel with and without the server extension', () => {
  it('without it, verifies from the browser, says the expiry could not be seen, and keeps the draft', async () => {
    const { deps, server } = serverDeps(false);
    const model = new GitHubTokenModel(deps);
    expect(await model.refreshServer()).toBeNull();
    expect(model.verificationRoute).toBe('no-extension');
    model.draft = CLASSIC;
    deps.requestVerification.mockResolvedValueOnce({ user: userWithoutExpiry() });
    const state = await model.verify();
    expect(deps.requestVerification.mock.calls[0][0].transport).toBeUndefined();
    expect(server.github).not.toHaveBeenCalled();
    expect(state.status === 'done' && state.report.expiresAt).toBeUndefined();
    expect(state.status === 'done' && state.report.notes.join(' ')).toMatch(/cannot see the token's expiry/);
    expect(server.hold).not.toHaveBeenCalled();
    expect(model.draft).toBe(CLASSIC);
    expect(model.held).toBeNull();
    expect(await model.useForNewKernels(true)).toMatch(/not enabled/);
  });

  it('the route is unknown until the status answered', () => {
    const model = new GitHubTokenModel(serverDeps(true).deps);
    expect(model.verificationRoute).toBe('unknown');
    expect(model.keychain).toBeNull();
  });

  it('with it, verifies through the server, where a missing expiry header means "never"', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.verificationRoute).toBe('server');
    model.draft = CLASSIC;
    deps.requestVerification.mockResolvedValueOnce({ user: userWithoutExpiry() });
    const state = await model.verify();
    expect(deps.requestVerification.mock.calls[0][0].apiBaseUrl).toBe(API);
    await expectServerTransport(deps.requestVerification.mock.calls[0][0].transport, server.github);
    expect(state.status === 'done' && state.report.expiresAt).toBeNull();
  });

  it('verifies from the browser when the server may not call the configured API, and names the real reason', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: GHE };
    expect(model.verificationRoute).toBe('not-allowed');
    model.draft = CLASSIC;
    deps.requestVerification.mockResolvedValueOnce({ user: userWithoutExpiry() });
    const state = await model.verify();
    expect(server.github).not.toHaveBeenCalled();
    expect(deps.requestVerification.mock.calls[0][0].transport).toBeUndefined();
    const notes = state.status === 'done' ? state.report.notes.join(' ') : '';
    expect(notes).toMatch(/cannot see the token's expiry/);
    expect(notes).toContain('c.GitHubTokenExtension.allowed_api_base_urls');
    expect(notes).not.toMatch(/With the server extension enabled/);
    // Not allowed: the server is not asked to hold it either.
    expect(server.hold).not.toHaveBeenCalled();
    expect(model.draft).toBe(CLASSIC);
  });

  it('reports a server that fails to forget', async () => {
    const { deps, server } = serverDeps(true);
    server.forget.mockRejectedValueOnce(new Error('Forbidden'));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    model.forget();
    await settle();
    expect(server.forget).toHaveBeenCalledTimes(1);
    expect(model.serverError).toMatch(/could not forget the token: Forbidden/);
  });

  it('holds a token not verified yet for the configured API base URL (new kernels)', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: GHE };
    model.draft = 'ghp_not a token';
    expect(await model.useForNewKernels(true)).toMatch(/Paste a token first/);
    server.status.mockResolvedValueOnce({ ...status, allowedApiBaseUrls: [API, GHE] });
    await model.refreshServer();
    model.draft = CLASSIC;
    // Before the pasted token's own verification starts.
    expect(await model.useForNewKernels(true)).toBe('');
    expect(server.hold.mock.calls[0]).toEqual([
      expect.objectContaining({ apiBaseUrl: GHE, token: CLASSIC, forNewKernels: true, remember: false })
    ]);
    expect(model.usedForNewKernels).toBe(true);
    // Held for this URL: the raw draft is dropped.
    expect(model.draft).toBe('');
    expect(model.hasToken).toBe(true);
  });

  it('new kernels: the held entry is PATCHed on and off', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()), { [API]: CLASSIC });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.usedForNewKernels).toBe(false);
    expect(await model.useForNewKernels(true)).toBe('');
    expect(server.update).toHaveBeenLastCalledWith({ apiBaseUrl: API, forNewKernels: true });
    expect(model.usedForNewKernels).toBe(true);
    expect(await model.useForNewKernels(false)).toBe('');
    expect(server.update).toHaveBeenLastCalledWith({ apiBaseUrl: API, forNewKernels: false });
    expect(model.usedForNewKernels).toBe(false);
    expect(server.hold).not.toHaveBeenCalled();
    expect(server.reveal).not.toHaveBeenCalled();
  });

  it('the token new kernels get for another API base URL is not the held one of the settings', async () => {
    // The panel words the other-host case from the status (src/panel); the model only keeps to its URL.
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry({ apiBaseUrl: GHE, forNewKernels: true })));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.held).toBeNull();
    expect(model.usedForNewKernels).toBe(false);
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: GHE + '/' };
    expect(model.held?.apiBaseUrl).toBe(GHE);
    expect(model.usedForNewKernels).toBe(true);
  });
});

describe('the server holds the token: every tab and reload shows it', () => {
  it('a pasted well-formed token verifies itself once; a malformed one does not', async () => {
    const { deps } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC.slice(0, -1);
    await settle();
    expect(deps.requestVerification).not.toHaveBeenCalled();
    model.draft = CLASSIC;
    await settle();
    expect(deps.requestVerification).toHaveBeenCalledTimes(1);
    expect(deps.requestVerification.mock.calls[0][0].token).toBe(CLASSIC);
    expect(model.verifyState.status).toBe('done');
  });

  it('after an ok report the server holds it (login, expiry, scopes, keychain setting) and the page drops the draft', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    await settle();
    expect(server.hold).toHaveBeenCalledTimes(1);
    const body = server.hold.mock.calls[0][0];
    expect(body).toEqual({
      token: CLASSIC,
      apiBaseUrl: API,
      variables: DEFAULT_SETTINGS.environmentVariables,
      login: 'octo',
      expiresAt: '2026-12-24T10:00:00.000Z',
      scopes: ['repo', 'user'],
      remember: false
    });
    // forNewKernels omitted: the server keeps the previous entry's choice.
    expect('forNewKernels' in body).toBe(false);
    expect(model.draft).toBe('');
    expect(model.format).toBeNull();
    expect(model.hasDraft).toBe(false);
    expect(model.hasToken).toBe(true);
    expect(model.masked).toBe(`ghp_...${CLASSIC.slice(-4)}`);
    expect(model.login).toBe('octo');
    // The report stays visible.
    expect(model.verifyState.status === 'done' && model.verifyState.report.ok).toBe(true);
  });

  it('remembers in the keychain when the setting says so', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.settings = { ...DEFAULT_SETTINGS, rememberOnThisComputer: true };
    model.draft = CLASSIC;
    await settle();
    expect(server.hold.mock.calls[0][0]).toMatchObject({ remember: true });
    expect(model.held?.remembered).toBe(true);
  });

  it('a failing report is not held, and the draft stays', async () => {
    const { deps, server } = serverDeps(true);
    deps.requestVerification.mockResolvedValueOnce({
      user: { kind: 'response', response: { status: 401, headers: {}, data: { message: 'Bad credentials' } } }
    });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    await settle();
    expect(model.verifyState.status === 'done' && model.verifyState.report.ok).toBe(false);
    expect(server.hold).not.toHaveBeenCalled();
    expect(model.draft).toBe(CLASSIC);
  });

  it('a server that refuses to hold it says so, and the draft stays', async () => {
    const { deps, server } = serverDeps(true);
    server.hold.mockRejectedValueOnce(new Error('Executing code in kernels is not permitted.'));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    await settle();
    expect(model.serverError).toMatch(/could not keep the token: Executing code/);
    expect(model.draft).toBe(CLASSIC);
  });

  it('reload: a new model whose server holds a token shows it without any paste', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry({ login: 'octo-scientist', remembered: true })), { [API]: CLASSIC });
    const model = new GitHubTokenModel(deps);
    expect(model.hasToken).toBe(false);
    await model.refreshServer();
    expect(model.hasToken).toBe(true);
    expect(model.hasDraft).toBe(false);
    expect(model.masked).toBe(`ghp_...${CLASSIC.slice(-4)}`);
    expect(model.login).toBe('octo-scientist');
    expect(model.held).toMatchObject({ apiBaseUrl: API, remembered: true, kind: 'classic' });
    expect(server.reveal).not.toHaveBeenCalled();
    expect(deps.requestVerification).not.toHaveBeenCalled();
  });

  it('a held token of another URL is not this one', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry({ apiBaseUrl: GHE })));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.held).toBeNull();
    expect(model.hasToken).toBe(false);
  });

  it('Verify with only the held token fetches it for that round, and holds it again with its keychain choice', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry({ remembered: true })), { [API]: CLASSIC });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    const state = await model.verify();
    expect(server.reveal).toHaveBeenCalledWith(API);
    expect(deps.requestVerification.mock.calls[0][0].token).toBe(CLASSIC);
    expect(state.status === 'done' && state.report.ok).toBe(true);
    expect(server.hold.mock.calls[0][0]).toMatchObject({ token: CLASSIC, remember: true });
    expect(JSON.stringify(model.verifyState)).not.toContain(CLASSIC);
    expect(model.draft).toBe('');
  });

  it('Verify with a held token the server cannot deliver goes back to idle and says why', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(await model.verify()).toEqual({ status: 'idle' });
    expect(deps.requestVerification).not.toHaveBeenCalled();
    expect(model.serverError).toMatch(/could not deliver the token: No token is held/);
  });

  it('Forget sends DELETE with the URL, and the tab stops showing the token at once', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry(), heldEntry({ apiBaseUrl: GHE })), { [API]: CLASSIC });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.forget();
    expect(model.held).toBeNull();
    expect(model.hasToken).toBe(false);
    expect(server.forget).toHaveBeenCalledWith(API);
    await settle();
    expect(model.server?.tokens.map(entry => entry.apiBaseUrl)).toEqual([GHE]);
    expect(model.kernelsHoldingToken).toEqual(['k1']);
  });

  it("another tab's Forget: the token event refreshes the model, which drops the held token and its report", async () => {
    const { deps, server } = serverDeps(true);
    let fire: () => void = () => undefined;
    const unsubscribe = jest.fn();
    const subscribe = jest.fn((onEvent: () => void) => {
      fire = onEvent;
      return unsubscribe;
    });
    const model = new GitHubTokenModel({ ...deps, server: { ...server, subscribe } });
    expect(subscribe).toHaveBeenCalledTimes(1);
    await model.refreshServer();
    model.draft = CLASSIC;
    await settle();
    expect(model.held).not.toBeNull();
    expect(model.verifyState.status).toBe('done');
    // The other tab forgets; what got that token still runs (the server's lastForget, not every kernel with a token).
    server.preset({
      ...status,
      kernels: ['k9', 'k10'],
      terminals: ['3'],
      lastForget: { apiBaseUrl: null, kernels: ['k9'], terminals: ['3'], variables: ['GITHUB_TOKEN'] }
    });
    fire();
    await settle();
    expect(model.held).toBeNull();
    expect(model.hasToken).toBe(false);
    expect(model.login).toBeNull();
    expect(model.verifyState).toEqual({ status: 'idle' });
    expect(model.kernelsHoldingToken).toEqual(['k9']);
    expect(model.terminalsHoldingToken).toEqual(['3']);
    model.dispose();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });

  it("another tab's new token replaces what this tab learnt of the old one, not a draft being pasted", async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()), { [API]: CLASSIC });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    await model.verify();
    expect(model.verifyState.status).toBe('done');
    server.preset(holding(heldEntry({ masked: 'ghp_...zzzz', setAt: '2026-02-02T00:00:00Z', login: 'other' })));
    await model.refreshServer();
    expect(model.verifyState).toEqual({ status: 'idle' });
    expect(model.login).toBe('other');
    // With a draft being pasted, its own report stays.
    deps.requestVerification.mockResolvedValueOnce({
      user: { kind: 'response', response: { status: 401, headers: {}, data: { message: 'Bad credentials' } } }
    });
    model.draft = READ_ONLY;
    await settle();
    server.preset(holding(heldEntry({ masked: 'ghp_...yyyy', setAt: '2026-03-03T00:00:00Z' })));
    await model.refreshServer();
    expect(model.verifyState.status).toBe('done');
  });

  it('a refresh answered after a newer status landed is dropped', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    let answer!: (value: typeof status) => void;
    server.status.mockImplementationOnce(() => new Promise(resolve => (answer = resolve)));
    const refresh = model.refreshServer();
    model.draft = CLASSIC;
    await settle();
    expect(model.held).not.toBeNull();
    answer({ ...status });
    await refresh;
    expect(model.held).not.toBeNull();
  });

  it('a refresh that fails is not "no extension": the held token stays, the failure is said, the next answer clears it', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.held).not.toBeNull();
    const forgotten = jest.fn();
    model.stateChanged.connect(forgotten);
    server.status.mockRejectedValueOnce(new Error('502 Bad Gateway'));
    await model.refreshServer();
    expect(model.held).not.toBeNull();
    expect(model.verificationRoute).toBe('server');
    expect(model.serverError).toContain('502 Bad Gateway');
    await model.refreshServer();
    expect(model.serverError).toBe('');
    expect(model.held).not.toBeNull();
  });

  it('a first refresh that fails counts as no extension until the next answer', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()));
    const model = new GitHubTokenModel(deps);
    server.status.mockRejectedValueOnce(new Error('network down'));
    await model.refreshServer();
    expect(model.server).toBeNull();
    expect(model.serverError).toContain('network down');
    await model.refreshServer();
    expect(model.held).not.toBeNull();
  });
});

describe('Remember on this computer', () => {
  it('saves the setting, and PATCHes the held token', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()), { [API]: CLASSIC });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.keychain).toMatchObject({ available: true, backend: 'SecretService Keyring' });
    expect(model.remember).toBe(false);
    expect(await model.setRemember(true)).toBe('');
    expect(model.remember).toBe(true);
    expect(deps.saveChoice).toHaveBeenCalledWith('rememberOnThisComputer', true);
    expect(server.update).toHaveBeenCalledWith({ apiBaseUrl: API, remember: true });
    expect(model.held?.remembered).toBe(true);
  });

  it("returns the server's reason when the keychain is not available", async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()));
    server.update.mockRejectedValueOnce(new Error('No secure keychain backend: install gnome-keyring.'));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(await model.setRemember(true)).toMatch(/No secure keychain backend/);
  });

  it('without a held token, only the setting changes', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(await model.setRemember(true)).toBe('');
    expect(server.update).not.toHaveBeenCalled();
    expect(deps.saveChoice).toHaveBeenCalledWith('rememberOnThisComputer', true);
  });

  it('a hold that could not use the keychain shows the reason as the server error', async () => {
    const { deps, server } = serverDeps(true);
    server.hold.mockImplementationOnce(async body => ({
      ...holding(heldEntry({ apiBaseUrl: body.apiBaseUrl })),
      warning: 'No keychain here.'
    }));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    await settle();
    expect(model.held).not.toBeNull();
    expect(model.serverError).toBe('The token is held, but not remembered on this computer: No keychain here.');
  });
});

describe('the page and the server agree on API base URLs', () => {
  it('sameApiBaseUrl ignores host case and trailing slashes, and matches nothing the policy refuses', () => {
    expect(sameApiBaseUrl('https://API.GitHub.com/', 'https://api.github.com')).toBe(true);
    expect(sameApiBaseUrl('https://ghe.example.com/api/v3//', 'https://GHE.example.com/api/v3')).toBe(true);
    expect(sameApiBaseUrl('https://ghe.example.com/api/v3', 'https://ghe.example.com/api')).toBe(false);
    expect(sameApiBaseUrl('http://github.example.com', 'http://github.example.com')).toBe(false);
    expect(sameApiBaseUrl('not a url', 'not a url')).toBe(false);
  });

  it('verifies through the server when it allows the configured URL written differently', async () => {
    const { deps, server } = serverDeps(true);
    server.preset({ ...status, allowedApiBaseUrls: ['https://API.github.com/'] });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    await model.verify();
    await expectServerTransport(deps.requestVerification.mock.calls[0][0].transport, server.github);
  });

  it('a token held for the same host in another case is the held token', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry({ apiBaseUrl: 'https://API.GITHUB.COM/', forNewKernels: true })));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.usedForNewKernels).toBe(true);
    expect(model.held).not.toBeNull();
  });

  it("shows the held token's login only while no draft is being pasted", async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry({ login: 'held-login' })));
    deps.requestVerification.mockResolvedValue({ user: userOutcome('draft-login') });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.login).toBe('held-login');
    model.settings = { ...DEFAULT_SETTINGS, defaultRepository: 'not a repo' };
    model.draft = READ_ONLY;
    expect(model.login).toBeNull();
  });
});

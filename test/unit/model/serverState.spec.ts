/** The server extension as the model sees it: verifying through it, handing it the token, its host. */
import { GitHubTokenModel } from '../../../src/model/tokenModel';
import { sameApiBaseUrl } from '../../../src/model/serverState';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import { CLASSIC, serverDeps, serverStatus as status, userWithoutExpiry } from './fixtures';

describe('GitHubTokenModel with and without the server extension', () => {
  it('without it, verifies from the browser and says the expiry could not be seen', async () => {
    const { deps, server } = serverDeps(false);
    const model = new GitHubTokenModel(deps);
    expect(await model.refreshServer()).toBeNull();
    model.draft = CLASSIC;
    deps.requestVerification.mockResolvedValueOnce({ user: userWithoutExpiry() });
    const state = await model.verify();
    expect(deps.requestVerification.mock.calls[0][0].transport).toBeUndefined();
    expect(server.github).not.toHaveBeenCalled();
    expect(state.status === 'done' && state.report.expiresAt).toBeUndefined();
    expect(state.status === 'done' && state.report.notes.join(' ')).toMatch(/cannot see the token's expiry/);
    expect(await model.useForNewKernels(true)).toMatch(/not enabled/);
  });

  it('with it, verifies through the server, where a missing expiry header means "never"', async () => {
    const { deps, server } = serverDeps(true);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    deps.requestVerification.mockResolvedValueOnce({ user: userWithoutExpiry() });
    const state = await model.verify();
    expect(deps.requestVerification.mock.calls[0][0].apiBaseUrl).toBe(DEFAULT_SETTINGS.apiBaseUrl);
    expect(deps.requestVerification.mock.calls[0][0].transport).toBe(server.github);
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
    expect(server.github).not.toHaveBeenCalled();
    expect(deps.requestVerification.mock.calls[0][0].transport).toBeUndefined();
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
    server.status.mockResolvedValueOnce({ ...status, allowedApiBaseUrls: ['https://API.github.com/'] });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    await model.verify();
    expect(deps.requestVerification.mock.calls[0][0].transport).toBe(server.github);
  });

  it('a token bound to the same host in another case is not "for another host"', async () => {
    const { deps, server } = serverDeps(true);
    server.status.mockResolvedValueOnce({ ...status, held: true, apiBaseUrl: 'https://API.GITHUB.COM/' });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.serverTokenForOtherHost).toBe(false);
    expect(model.usedForNewKernels).toBe(true);
  });
});

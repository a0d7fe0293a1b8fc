/** What still holds the token after Forget: kernels and terminals, cleared, restarted, closed. */
import { GitHubTokenModel } from '../../../src/model/tokenModel';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import { CLASSIC, heldEntry, holding, OK_WRITE, serverDeps, serverStatus as status, settle } from './fixtures';

describe('GitHubTokenModel: what still holds the token after Forget', () => {
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
    server.forget.mockResolvedValueOnce({ ...status, stillRunning: ['k1', 'k2'] });
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
    server.forget.mockResolvedValueOnce({ ...status, stillRunningTerminals: ['1', '2'] });
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

  it("takes what another tab's Forget left running (lastForget) when the held token is gone, none while held", async () => {
    const { deps, server } = serverDeps(true);
    server.preset({ ...holding(heldEntry({ variables: ['MY_GH'] })), kernels: ['k7'], terminals: ['1'] });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    expect(model.terminalsHoldingToken).toEqual([]);
    expect(model.kernelsHoldingToken).toEqual([]);
    // k8 got the other URL's token, which is still held: it is not a holder of the forgotten one.
    server.preset({
      ...holding(heldEntry({ apiBaseUrl: 'https://ghe.example.com/api/v3' })),
      kernels: ['k7', 'k8'],
      terminals: ['4', '5'],
      lastForget: { apiBaseUrl: DEFAULT_SETTINGS.apiBaseUrl, kernels: ['k7'], terminals: ['4'], variables: ['MY_GH'] }
    });
    await model.refreshServer();
    expect(model.terminalsHoldingToken).toEqual(['4']);
    expect(model.kernelsHoldingToken).toEqual(['k7']);
    // The forgotten entry's variables are cleared too.
    await model.clearKernels();
    expect(deps.clearKernels).toHaveBeenCalledWith(['k7'], ['MY_GH', ...DEFAULT_SETTINGS.environmentVariables]);
  });

  it("a Forget of another URL (lastForget) is not this URL's, and no lastForget adds nothing", async () => {
    const { deps, server } = serverDeps(true);
    server.preset({ ...holding(heldEntry()), kernels: ['k7'] });
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    server.preset({
      ...status,
      kernels: ['k7'],
      lastForget: { apiBaseUrl: 'https://ghe.example.com/api/v3', kernels: ['k9'], terminals: [], variables: [] }
    });
    await model.refreshServer();
    expect(model.held).toBeNull();
    expect(model.kernelsHoldingToken).toEqual([]);
    server.preset(holding(heldEntry()));
    await model.refreshServer();
    server.preset({ ...status, kernels: ['k7'], terminals: ['4'], lastForget: null });
    await model.refreshServer();
    expect(model.kernelsHoldingToken).toEqual([]);
    expect(model.terminalsHoldingToken).toEqual([]);
  });

  it('a kernel written by another path (recordDelivery) is recorded here and on the server', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()));
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.recordDelivery({ ok: true, message: 'Replaced.', variables: ['GITHUB_TOKEN'], kernelId: 'k5' });
    model.recordDelivery({ ok: false, message: 'Failed.', variables: [], kernelId: 'k6' });
    expect(model.kernelsHoldingToken).toEqual(['k5']);
    // The server's record waits for the settings (its URL is theirs).
    await settle();
    expect(server.recordKernel).toHaveBeenCalledTimes(1);
    expect(server.recordKernel).toHaveBeenCalledWith({
      kernelId: 'k5',
      variables: ['GITHUB_TOKEN'],
      apiBaseUrl: DEFAULT_SETTINGS.apiBaseUrl
    });
    expect(model.kernelsHoldingToken).toEqual(['k5']);
  });

  it('a kernel write is recorded on the server too; a failure there loses nothing here', async () => {
    const { deps, server } = serverDeps(true);
    server.recordKernel.mockRejectedValueOnce(new Error('Not Found'));
    const model = new GitHubTokenModel({
      ...deps,
      writeToKernel: jest.fn(async () => ({ ...OK_WRITE, kernelId: 'k8' }))
    });
    await model.refreshServer();
    model.draft = CLASSIC;
    await model.writeToKernel();
    await settle();
    expect(server.recordKernel).toHaveBeenCalledWith(expect.objectContaining({ kernelId: 'k8' }));
    expect(model.kernelsHoldingToken).toEqual(['k8']);
  });
});

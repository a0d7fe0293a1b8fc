/** What still holds the token after Forget: kernels and terminals, cleared, restarted, closed. */
import { GitHubTokenModel } from '../../../src/model/tokenModel';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import { CLASSIC, serverDeps, serverStatus as status } from './fixtures';

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

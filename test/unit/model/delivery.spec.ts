/** Delivery, through the model: the kernel environment and the notebook field. */
import { GitHubTokenModel } from '../../../src/model/tokenModel';
import { holdRequest, unreachableKernel } from '../../../src/model/delivery';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import fakeTokens from '../../fake_github/tokens.json';
import { trans } from '../support/trans';
import { CLASSIC, deferred, fakeDeps, OK_WRITE, READ_ONLY } from './fixtures';

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
    model.stateChanged.connect(() => seen.push(model.kernelWriteState.status));
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

describe('holdRequest and unreachableKernel (pure)', () => {
  it('an unverified token is bound to the configured API base URL, with no login or expiry', () => {
    const settings = { ...DEFAULT_SETTINGS, apiBaseUrl: 'https://ghe.example.com/api/v3' };
    expect(holdRequest(CLASSIC, settings, { status: 'idle' }, 'https://api.github.com')).toEqual({
      token: CLASSIC,
      variables: DEFAULT_SETTINGS.environmentVariables,
      apiBaseUrl: 'https://ghe.example.com/api/v3',
      login: undefined,
      expiresAt: null
    });
  });

  it('a verified token is bound to the host it was verified against, with its login and expiry', async () => {
    const model = new GitHubTokenModel(fakeDeps());
    model.draft = CLASSIC;
    const state = await model.verify();
    const settings = { ...DEFAULT_SETTINGS, apiBaseUrl: 'https://ghe.example.com/api/v3' };
    expect(holdRequest(CLASSIC, settings, state, DEFAULT_SETTINGS.apiBaseUrl)).toMatchObject({
      apiBaseUrl: DEFAULT_SETTINGS.apiBaseUrl,
      login: 'octo',
      expiresAt: '2026-12-24T10:00:00.000Z'
    });
  });

  it('a kernel that cannot be reached is an execution failure naming the error', () => {
    const result: IKernelWriteResult = unreachableKernel(new Error('Kernel is disposed'), trans);
    expect(result).toMatchObject({ ok: false, problem: 'execution-failed', variables: [] });
    expect(result.message).toContain('Kernel is disposed');
  });
});

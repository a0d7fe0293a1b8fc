/** Delivery, through the model: the kernel environment and the notebook field. */
import { GitHubTokenModel } from '../../../src/model/tokenModel';
import { holdRequest, unreachableKernel } from '../../../src/model/delivery';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import fakeTokens from '../../fake_github/tokens.json';
import { trans } from '../support/trans';
import type { FieldCandidate, INotebookHandle } from '../../../src/notebook/fieldWriter';
import { CLASSIC, deferred, fakeDeps, heldEntry, holding, OK_WRITE, READ_ONLY, serverDeps, settle } from './fixtures';

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
    // The pasted token verifies itself first (its emits are not the write's).
    await settle();
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

  it('a fill that ends after Forget still records its kernel: it has the token, Forget must offer to clear it', async () => {
    const { model, fillField } = withFields([widget]);
    let release!: (r: IKernelWriteResult) => void;
    fillField.mockImplementationOnce(() => new Promise<IKernelWriteResult>(resolve => (release = resolve)));
    const pending = model.writeToNotebookField();
    await new Promise(resolve => setTimeout(resolve, 0));
    model.forget();
    release({ ...FILLED, ok: true, kernelId: 'k9', variables: [] });
    expect(await pending).toBeNull();
    expect(model.kernelsHoldingToken).toContain('k9');
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

describe('deliveries of the token the server holds', () => {
  const API = DEFAULT_SETTINGS.apiBaseUrl;
  const widget = {
    kind: 'widget' as const,
    id: '4ec0c17515004facba0716172ecfcf09',
    widgetClass: 'Password',
    description: '*Personal Access Token:',
    names: ['github_token'],
    empty: true
  };
  const FILLED: IKernelWriteResult = { ok: true, message: 'Filled.', variables: [] };

  /** A model after a reload: the server holds CLASSIC, the page has no draft. */
  async function reloaded(candidates: FieldCandidate[] = [widget]) {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()), { [API]: CLASSIC });
    const findFields = jest.fn(async (_fieldName: string) => ({
      candidates,
      message: candidates.length ? '' : 'Looked for X.'
    }));
    const fillField = jest.fn(async (..._args: unknown[]) => FILLED);
    const model = new GitHubTokenModel({ ...deps, findFields, fillField });
    await model.refreshServer();
    return { model, deps, server, findFields, fillField };
  }

  /** Every value the model's own fields hold, deeply (to show a token is not kept). */
  function ownValues(model: object): string {
    const seen = new Set<unknown>();
    const walk = (value: unknown): string => {
      if (typeof value === 'string') {
        return value;
      }
      if (!value || typeof value !== 'object' || seen.has(value)) {
        return '';
      }
      seen.add(value);
      const entries = value instanceof Set || value instanceof Map ? [...value.values()] : Object.values(value);
      return entries.map(walk).join('|');
    };
    return walk(model);
  }

  it('a kernel write fetches the held token for that write and keeps none of it', async () => {
    const { model, deps, server } = await reloaded();
    expect(model.hasToken).toBe(true);
    const result = await model.writeToKernel();
    expect(server.reveal).toHaveBeenCalledTimes(1);
    expect(server.reveal).toHaveBeenCalledWith(API);
    expect(deps.writeToKernel).toHaveBeenCalledWith(CLASSIC, DEFAULT_SETTINGS.environmentVariables);
    expect(result).toBe(OK_WRITE);
    expect(model.draft).toBe('');
    expect(ownValues(model)).not.toContain(CLASSIC);
    // A second write fetches it again.
    await model.writeToKernel();
    expect(server.reveal).toHaveBeenCalledTimes(2);
  });

  it('a token the server cannot deliver is a failed write saying why', async () => {
    const { model, deps, server } = await reloaded();
    server.reveal.mockRejectedValueOnce(new Error('Executing code in kernels is not permitted.'));
    const result = await model.writeToKernel();
    expect(deps.writeToKernel).not.toHaveBeenCalled();
    expect(result).toMatchObject({ ok: false, problem: 'execution-failed' });
    expect(result!.message).toMatch(/could not deliver the token: Executing code/);
  });

  it('a draft is used as it is, without asking the server', async () => {
    const { model, deps, server } = await reloaded();
    model.settings = { ...DEFAULT_SETTINGS, defaultRepository: 'not a repo' };
    model.draft = READ_ONLY;
    await model.writeToKernel();
    expect(deps.writeToKernel).toHaveBeenCalledWith(READ_ONLY, expect.anything());
    expect(server.reveal).not.toHaveBeenCalled();
  });

  it('"Use in this notebook" writes the kernel, then the one displayed field, with one fetch of the token', async () => {
    const { model, deps, server, fillField } = await reloaded();
    const seen: string[] = [];
    model.stateChanged.connect(() => seen.push(model.useState.status));
    const result = await model.useInNotebook();
    expect(result).toEqual({ kernel: OK_WRITE, field: FILLED });
    expect(deps.writeToKernel).toHaveBeenCalledWith(CLASSIC, expect.anything());
    expect(fillField).toHaveBeenCalledWith(widget, CLASSIC, 'env', expect.anything(), 'GitHub-token');
    expect(server.reveal).toHaveBeenCalledTimes(1);
    expect(model.useState).toEqual({ status: 'done', result });
    expect(seen[0]).toBe('working');
    expect(ownValues(model)).not.toContain(CLASSIC);
  });

  it('"Use in this notebook" with no displayed field: the kernel only, field null', async () => {
    const { model, fillField } = await reloaded([]);
    const result = await model.useInNotebook();
    expect(result).toEqual({ kernel: OK_WRITE, field: null });
    expect(fillField).not.toHaveBeenCalled();
    expect(model.fieldState).toEqual({ status: 'idle' });
  });

  it('"Use in this notebook" with several fields lists them to pick', async () => {
    const other = { ...widget, id: 'f'.repeat(32), description: 'GitHub token' };
    const { model, fillField } = await reloaded([widget, other]);
    const result = await model.useInNotebook();
    expect(result?.field).toMatchObject({ ok: false, problem: 'several-fields' });
    expect(model.fieldState).toEqual({ status: 'choose', candidates: [widget, other] });
    expect(fillField).not.toHaveBeenCalled();
  });

  it('"Use in this notebook" without a notebook stops after the kernel', async () => {
    const { model, deps, findFields } = await reloaded();
    const noNotebook: IKernelWriteResult = { ok: false, problem: 'no-notebook', message: 'Open it.', variables: [] };
    deps.writeToKernel.mockResolvedValueOnce(noNotebook);
    expect(await model.useInNotebook()).toEqual({ kernel: noNotebook, field: null });
    expect(findFields).not.toHaveBeenCalled();
  });

  it('"Use in this notebook" without a token does nothing; Forget resets it', async () => {
    const model = new GitHubTokenModel(fakeDeps());
    expect(await model.useInNotebook()).toBeNull();
    model.draft = CLASSIC;
    await model.useInNotebook();
    expect(model.useState.status).toBe('done');
    model.forget();
    expect(model.useState).toEqual({ status: 'idle' });
  });

  it('findFieldsIn and fillFieldIn work on a given notebook, fill widgets only, and record the kernel', async () => {
    const { deps, server } = serverDeps(true);
    server.preset(holding(heldEntry()), { [API]: CLASSIC });
    const notebook = { path: 'Welcome.ipynb' } as unknown as INotebookHandle;
    const findFieldsIn = jest.fn(async (_notebook: INotebookHandle, _fieldName: string) => ({
      candidates: [widget],
      message: ''
    }));
    const fillFieldIn = jest.fn(async (..._args: unknown[]) => ({ ...FILLED, kernelId: 'k3' }));
    const model = new GitHubTokenModel({ ...deps, findFieldsIn, fillFieldIn });
    // Not refreshed yet (just loaded): the search waits for the server's status.
    expect(await model.findFieldsIn(notebook)).toEqual({ candidates: [widget], message: '' });
    expect(model.held).not.toBeNull();
    expect(findFieldsIn).toHaveBeenCalledWith(notebook, 'GitHub-token');
    const result = await model.fillFieldIn(notebook, widget);
    expect(fillFieldIn).toHaveBeenCalledWith(
      notebook,
      widget,
      CLASSIC,
      'env',
      DEFAULT_SETTINGS.environmentVariables,
      'GitHub-token'
    );
    expect(result).toMatchObject({ ok: true, kernelId: 'k3' });
    expect(model.kernelsHoldingToken).toEqual(['k3']);
    // The server's record waits for the status and the settings (the URL is theirs).
    await settle();
    expect(server.recordKernel).toHaveBeenCalledWith(expect.objectContaining({ kernelId: 'k3' }));
    // The panel's own field state is not touched.
    expect(model.fieldState).toEqual({ status: 'idle' });
    const cell = {
      kind: 'assignment' as const,
      cellIndex: 0,
      line: 0,
      variable: 't',
      current: 'empty' as const,
      preview: ''
    };
    expect(await model.fillFieldIn(notebook, cell)).toBeNull();
    expect(fillFieldIn).toHaveBeenCalledTimes(1);
  });
});

/**
 * The token's session with the server (model/session.ts), through the model:
 * the auto-fill's deliveries use the held token, a held token GitHub refuses
 * is not delivered, deliveries wait for the server's first answer and the
 * user's settings, Forget before that answer, and the server's failures in
 * the page's own words.
 */
import { GitHubTokenModel } from '../../../src/model/tokenModel';
import { serverFailureText, wordedTransport } from '../../../src/model/serverState';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import type { FieldCandidate, INotebookHandle } from '../../../src/notebook/fieldWriter';
import type { IServerStatus } from '../../../src/server/api';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import { trans } from '../support/trans';
import {
  CLASSIC,
  deferred,
  heldEntry,
  holding,
  OK_WRITE,
  READ_ONLY,
  serverDeps,
  serverStatus as status,
  settle,
  userOutcome
} from './fixtures';

const API = DEFAULT_SETTINGS.apiBaseUrl;
const GHE = 'https://github.example.com/api/v3';
const notebook = { path: 'Welcome.ipynb' } as unknown as INotebookHandle;
const widget: FieldCandidate = {
  kind: 'widget',
  id: '4ec0c17515004facba0716172ecfcf09',
  widgetClass: 'Password',
  description: 'Token',
  names: ['github_token'],
  empty: true
};
const FILLED: IKernelWriteResult = { ok: true, message: 'Filled.', variables: [], kernelId: 'k3' };

/** A model whose server holds `entry` (token CLASSIC), with notebook field deps. */
function withHeld(entry = heldEntry(), extra: { settingsReady?: Promise<unknown> } = {}) {
  const { deps, server } = serverDeps(true);
  server.preset(holding(entry), { [entry.apiBaseUrl]: CLASSIC });
  const findFieldsIn = jest.fn(async (_notebook: INotebookHandle, _fieldName: string) => ({
    candidates: [widget],
    message: ''
  }));
  const fillFieldIn = jest.fn(async (..._args: unknown[]) => FILLED);
  const findFields = jest.fn(async (_fieldName: string) => ({ candidates: [widget], message: '' }));
  const fillField = jest.fn(async (..._args: unknown[]) => FILLED);
  const model = new GitHubTokenModel({ ...deps, findFieldsIn, fillFieldIn, findFields, fillField, ...extra });
  return { model, deps, server, findFieldsIn, fillFieldIn, findFields, fillField };
}

describe('the auto-fill delivers the held token', () => {
  it('fillFieldIn fills with the held token even while another token is pasted', async () => {
    const { model, deps, server, fillFieldIn } = withHeld();
    await model.refreshServer();
    // A different token being pasted (its verification is not what the notification named).
    deps.requestVerification.mockResolvedValue({ user: userOutcome('someone-else', 'read:user') });
    model.draft = READ_ONLY;
    await settle();
    expect(model.hasDraft).toBe(true);
    expect(await model.fillFieldIn(notebook, widget)).toBe(FILLED);
    expect(server.reveal).toHaveBeenCalledWith(API);
    expect(fillFieldIn.mock.calls[0][2]).toBe(CLASSIC);
    expect(fillFieldIn.mock.calls.flat()).not.toContain(READ_ONLY);
  });

  it('fillFieldIn does nothing with only a draft (nothing held)', async () => {
    const { deps, server } = serverDeps(true);
    const fillFieldIn = jest.fn(async (..._args: unknown[]) => FILLED);
    const model = new GitHubTokenModel({ ...deps, fillFieldIn });
    server.hold.mockRejectedValue(new Error('refused'));
    await model.refreshServer();
    model.draft = CLASSIC;
    await settle();
    expect(model.held).toBeNull();
    expect(await model.fillFieldIn(notebook, widget)).toBeNull();
    expect(fillFieldIn).not.toHaveBeenCalled();
  });
});

describe('a held token that GitHub refuses (the server check) is not delivered', () => {
  it.each([
    ['revoked', /was revoked.*create a new token.*Forget removes/],
    ['expired', /has expired.*create a new token.*Forget removes/]
  ] as const)(
    '%s: Use in this notebook, the kernel write and the field search refuse with the next step',
    async (check, text) => {
      const entry = heldEntry({ check: { status: check, checkedAt: '2026-01-02T00:00:00Z', message: '' } });
      const { model, deps, server, findFieldsIn, fillFieldIn, findFields } = withHeld(entry);
      await model.refreshServer();
      expect(model.hasToken).toBe(true);
      const use = await model.useInNotebook();
      expect(use?.field).toBeNull();
      expect(use?.kernel).toMatchObject({ ok: false, message: expect.stringMatching(text) });
      expect(model.useState).toEqual({ status: 'done', result: use });
      const kernel = await model.writeToKernel();
      expect(kernel).toMatchObject({ ok: false, message: expect.stringMatching(text) });
      const found = await model.findFieldsIn(notebook);
      expect(found).toMatchObject({ ok: false, message: expect.stringMatching(text) });
      expect(await model.fillFieldIn(notebook, widget)).toMatchObject({ ok: false });
      expect(findFieldsIn).not.toHaveBeenCalled();
      expect(fillFieldIn).not.toHaveBeenCalled();
      expect(findFields).not.toHaveBeenCalled();
      expect(deps.writeToKernel).not.toHaveBeenCalled();
      expect(server.reveal).not.toHaveBeenCalled();
    }
  );

  it('unreachable or valid checks still deliver, and a new draft is delivered despite a revoked held token', async () => {
    const entry = heldEntry({ check: { status: 'unreachable', checkedAt: null, message: '' } });
    const { model, deps, server } = withHeld(entry);
    await model.refreshServer();
    expect(await model.writeToKernel()).toBe(OK_WRITE);
    server.preset(holding(heldEntry({ check: { status: 'revoked', checkedAt: null, message: '' } })));
    await model.refreshServer();
    server.hold.mockRejectedValue(new Error('refused'));
    model.draft = READ_ONLY;
    const use = await model.useInNotebook();
    expect(use?.kernel).toBe(OK_WRITE);
    expect(deps.writeToKernel).toHaveBeenLastCalledWith(READ_ONLY, DEFAULT_SETTINGS.environmentVariables);
  });
});

describe('deliveries in a given notebook wait for the server and the settings', () => {
  it("findFieldsIn and fillFieldIn use the user's settings once they are in, not the defaults", async () => {
    const settingsReady = deferred<void>();
    const entry = heldEntry({ apiBaseUrl: GHE });
    const { model, fillFieldIn, findFieldsIn, server } = withHeld(entry, { settingsReady: settingsReady.promise });
    void model.refreshServer();
    const found = model.findFieldsIn(notebook);
    const filled = model.fillFieldIn(notebook, widget);
    await settle();
    expect(findFieldsIn).not.toHaveBeenCalled();
    expect(fillFieldIn).not.toHaveBeenCalled();
    model.settings = {
      ...DEFAULT_SETTINGS,
      apiBaseUrl: GHE,
      notebookFieldName: 'PAT',
      environmentVariables: ['MY_GH']
    };
    settingsReady.resolve();
    expect(await found).toEqual({ candidates: [widget], message: '' });
    expect(findFieldsIn).toHaveBeenCalledWith(notebook, 'PAT');
    expect(await filled).toBe(FILLED);
    expect(fillFieldIn).toHaveBeenCalledWith(notebook, widget, CLASSIC, 'env', ['MY_GH'], 'PAT');
    expect(server.reveal).toHaveBeenCalledWith(GHE);
  });

  it('a kernel recorded before the settings are in is recorded for their URL', async () => {
    const settingsReady = deferred<void>();
    const { model, server } = withHeld(heldEntry({ apiBaseUrl: GHE }), { settingsReady: settingsReady.promise });
    model.recordDelivery({ ok: true, message: 'Replaced.', variables: ['GITHUB_TOKEN'], kernelId: 'k5' });
    await settle();
    expect(server.recordKernel).not.toHaveBeenCalled();
    model.settings = { ...DEFAULT_SETTINGS, apiBaseUrl: GHE };
    settingsReady.resolve();
    await settle();
    expect(server.recordKernel).toHaveBeenCalledWith({ kernelId: 'k5', variables: ['GITHUB_TOKEN'], apiBaseUrl: GHE });
  });

  it('ready() asks for the status once, even while another refresh is on its way', async () => {
    const { model, server } = withHeld();
    const answer = deferred<IServerStatus | null>();
    server.status.mockReturnValueOnce(answer.promise);
    const first = model.ready();
    const second = model.ready();
    answer.resolve(holding(heldEntry()));
    await Promise.all([first, second]);
    expect(server.status).toHaveBeenCalledTimes(1);
    expect(model.held).not.toBeNull();
  });

  it('a token pasted before the server first answered is verified through it and held', async () => {
    const { deps, server } = serverDeps(true);
    const answer = deferred<IServerStatus | null>();
    server.status.mockReturnValueOnce(answer.promise);
    const model = new GitHubTokenModel(deps);
    void model.refreshServer();
    model.draft = CLASSIC;
    await settle();
    expect(model.verifyState).toEqual({ status: 'verifying' });
    expect(deps.requestVerification).not.toHaveBeenCalled();
    answer.resolve(status);
    await settle();
    await settle();
    expect(deps.requestVerification.mock.calls[0][0].transport).toBeDefined();
    expect(server.hold).toHaveBeenCalledWith(expect.objectContaining({ token: CLASSIC, login: 'octo' }));
    expect(model.held).not.toBeNull();
    expect(model.draft).toBe('');
  });
});

describe('Forget, on the server', () => {
  it('asks the server also before its first answer, and an answer on its way does not bring the token back', async () => {
    const { model, server } = withHeld();
    const answer = deferred<IServerStatus | null>();
    server.status.mockReturnValueOnce(answer.promise);
    const refreshed = model.refreshServer();
    model.forget();
    expect(server.forget).toHaveBeenCalledWith(API);
    answer.resolve(holding(heldEntry()));
    await refreshed;
    await settle();
    expect(model.held).toBeNull();
    expect(model.server).toMatchObject({ tokens: [] });
  });

  it('does not ask a server known to be absent', async () => {
    const { deps, server } = serverDeps(false);
    const model = new GitHubTokenModel(deps);
    await model.refreshServer();
    model.draft = CLASSIC;
    model.forget();
    expect(server.forget).not.toHaveBeenCalled();
  });

  it("a keychain entry that could not be removed is the model's server error", async () => {
    const { model, server } = withHeld(heldEntry({ remembered: true }));
    await model.refreshServer();
    server.forget.mockResolvedValueOnce({
      ...status,
      stillRunning: [],
      stillRunningTerminals: [],
      keychainRemoved: false,
      keychainError: 'The keychain is locked.'
    });
    model.forget();
    await settle();
    expect(model.held).toBeNull();
    expect(model.serverError).toBe(
      'The token was forgotten, but its entry could not be removed from the keychain: The keychain is locked.'
    );
    server.forget.mockResolvedValueOnce({ ...status, keychainRemoved: true, keychainError: '' });
    model.forget();
    await settle();
    expect(model.serverError).toBe('');
  });
});

describe("the server's failures in the page's words", () => {
  /** An error as server/api throws it. */
  const failure = (fields: object, error: Error = new Error('code')) => Object.assign(error, fields);

  it('words each failure, the server’s own message kept when it sent one', () => {
    const refused = failure({ failure: 'refused', httpStatus: 409, detail: 'No secure backend.', reason: 'x' });
    expect(serverFailureText(refused, trans)).toBe('No secure backend.');
    const bare = failure({ failure: 'refused', httpStatus: 500, detail: '', reason: '' });
    expect(serverFailureText(bare, trans)).toBe('The Jupyter server answered HTTP 500.');
    const missing = failure({ failure: 'not-delivered', httpStatus: 200, detail: '', reason: '' });
    expect(serverFailureText(missing, trans)).toBe('The Jupyter server did not deliver the token.');
    const unreachable = failure({ failure: 'github-unreachable', httpStatus: 502, detail: '', reason: '' });
    expect(serverFailureText(unreachable, trans)).toBe('The Jupyter server could not reach the GitHub API (HTTP 502).');
    expect(serverFailureText(new Error('Failed to fetch'), trans)).toBe('Failed to fetch');
  });

  it('a reveal the server answered without a token says so in translated words', async () => {
    const { model, deps, server } = withHeld();
    await model.refreshServer();
    server.reveal.mockRejectedValueOnce(failure({ failure: 'not-delivered', httpStatus: 200, detail: '', reason: '' }));
    const result = await model.writeToKernel();
    expect(result?.message).toBe(
      'The Jupyter server could not deliver the token: The Jupyter server did not deliver the token.'
    );
    expect(deps.writeToKernel).not.toHaveBeenCalled();
  });

  it("the transport's failures keep their kind (timeout, unreachable) with the page's words", async () => {
    const transport = jest.fn();
    const worded = wordedTransport(transport, trans);
    const request = { apiBaseUrl: API, path: '/user', token: 'x', signal: new AbortController().signal };
    const timeout = failure({ failure: 'github-timeout', httpStatus: 502, detail: '', reason: '' });
    timeout.name = 'AbortError';
    transport.mockRejectedValueOnce(timeout);
    await expect(worded(request)).rejects.toMatchObject({
      name: 'AbortError',
      message: 'The GitHub API did not answer the Jupyter server in time.'
    });
    transport.mockRejectedValueOnce(
      failure({ failure: 'github-unreachable', httpStatus: 403, detail: 'Not allowed.', reason: '' }, new TypeError())
    );
    const unreachable = await worded(request).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(TypeError);
    expect((unreachable as Error).message).toBe('The Jupyter server could not reach the GitHub API: Not allowed.');
    const other = new TypeError('Failed to fetch');
    transport.mockRejectedValueOnce(other);
    await expect(worded(request)).rejects.toBe(other);
  });
});

import type { Event } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';
import {
  fetchServerStatus,
  forgetOnServer,
  heldFor,
  holdOnServer,
  recordKernelOnServer,
  revealFromServer,
  serverFailureOf,
  serverGitHubTransport,
  subscribeToTokenEvents,
  TOKEN_EVENT_SCHEMA_ID,
  updateOnServer
} from '../../../src/server/api';
import fakeTokens from '../../fake_github/tokens.json';

const TOKEN = fakeTokens.tokens.classicRepo.token;
const API = 'https://api.github.com';

/** A request the page sent to the Jupyter server. */
interface ISentRequest {
  url: string;
  method: string;
  body: string;
}

/**
 * Replace `fetch` for each test: `answer(status, body)` makes the server answer
 * with that JSON; `calls` lists what was sent (URL without ServerConnection's
 * cache-busting query).
 */
function mockServer(): { calls: ISentRequest[]; answer(status: number, body: unknown): void } {
  const realFetch = globalThis.fetch;
  const calls: ISentRequest[] = [];
  const answer = (status: number, body: unknown): void => {
    globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      // ServerConnection passes a Request.
      const request = input instanceof Request ? input : new Request(String(input), init);
      calls.push({ url: request.url.split('?')[0], method: request.method, body: await request.text() });
      // A 204 has no body.
      return new Response(status === 204 ? null : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' }
      });
    }) as unknown as typeof fetch;
  };
  beforeEach(() => {
    calls.length = 0;
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
  });
  return { calls, answer };
}

describe('serverGitHubTransport', () => {
  const server = mockServer();
  const { calls } = server;
  const get = (apiBaseUrl: string, path: string, token = TOKEN) =>
    serverGitHubTransport({ apiBaseUrl, path, token, signal: new AbortController().signal });

  it('sends one POST to the server with base URL, path and token, and hands back GitHub answer with every header', async () => {
    server.answer(200, {
      status: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-oauth-scopes': 'repo, user',
        'github-authentication-token-expiration': '2026-12-24 10:00:00 UTC'
      },
      data: { login: 'octo-scientist' }
    });
    const response = await get(API + '/', '/user');
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/github$/);
    expect(calls[0].method).toBe('POST');
    expect(JSON.parse(calls[0].body)).toEqual({ apiBaseUrl: API, path: '/user', token: TOKEN });
    expect(response.status).toBe(200);
    expect(response.headers?.['github-authentication-token-expiration']).toBe('2026-12-24 10:00:00 UTC');
    expect(response.headers?.['x-oauth-scopes']).toBe('repo, user');
    expect(response.data).toEqual({ login: 'octo-scientist' });
  });

  it('passes GitHub errors through as responses', async () => {
    server.answer(200, { status: 401, headers: {}, data: { message: 'Bad credentials' } });
    const response = await get(API, '/repos/octo-org/x?ignored=1');
    expect(JSON.parse(calls[0].body).path).toBe('/repos/octo-org/x');
    expect(JSON.parse(calls[0].body).token).toBe(TOKEN);
    expect(response.status).toBe(401);
    expect(response.data).toEqual({ message: 'Bad credentials' });
  });

  it('turns a server-side timeout into an AbortError and a refusal into a network error with its message', async () => {
    server.answer(502, { network: 'timeout' });
    await expect(get(API, '/user')).rejects.toMatchObject({ name: 'AbortError', failure: 'github-timeout' });
    server.answer(403, { message: 'https://evil.example is not in the allowed GitHub API base URLs' });
    const refused = get(API, '/user');
    await expect(refused).rejects.toBeInstanceOf(TypeError);
    await expect(refused).rejects.toThrow(/not in the allowed/);
  });

  it('says why it failed with codes, never in words of its own (the model words them)', async () => {
    server.answer(502, {});
    const error = await get(API, '/user').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(serverFailureOf(error)).toEqual({ failure: 'github-unreachable', httpStatus: 502, detail: '', reason: '' });
    expect((error as Error).message).toBe('github-unreachable');
    const outside = await get(API, '//example.com/user').catch((e: unknown) => e);
    expect(serverFailureOf(outside)).toMatchObject({ failure: 'outside-api' });
    expect(serverFailureOf(new Error('other'))).toBeNull();
  });

  it('refuses URLs outside the API base URL before sending anything', async () => {
    server.answer(200, {});
    await expect(get(API, 'https://example.com/user')).rejects.toBeInstanceOf(TypeError);
    await expect(get(API, '//example.com/user')).rejects.toBeInstanceOf(TypeError);
    await expect(get('http://github.example.com', '/user')).rejects.toBeInstanceOf(TypeError);
    expect(calls).toHaveLength(0);
  });
});

describe('status v2, hold, update, forget, reveal, record', () => {
  const server = mockServer();
  const { calls } = server;
  const ENTRY = {
    apiBaseUrl: API,
    masked: 'ghp_...abcd',
    kind: 'classic',
    login: 'octo',
    expiresAt: null,
    scopes: ['repo'],
    setAt: '2026-01-01T00:00:00Z',
    variables: ['GITHUB_TOKEN'],
    gitHosts: ['https://github.com'],
    forNewKernels: true,
    remembered: false,
    check: { status: 'unchecked', checkedAt: null, message: '' }
  };
  const STATUS = {
    version: 2,
    tokens: [ENTRY],
    allowedApiBaseUrls: [API],
    keychain: { enabled: true, available: false, backend: null, reason: 'No secure backend.' },
    kernels: ['k1'],
    kernelClashes: [],
    terminals: ['1'],
    lastForget: null
  };
  const body = (index: number) => JSON.parse(calls[index].body);

  it('GET status reads every held token, the keychain and the holders', async () => {
    server.answer(200, STATUS);
    const status = await fetchServerStatus();
    expect(calls[0]).toMatchObject({ method: 'GET' });
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/status$/);
    expect(status).toEqual(STATUS);
    expect(heldFor(status, 'https://API.github.com/')).toEqual(ENTRY);
    expect(heldFor(status, 'https://ghe.example.com/api/v3')).toBeNull();
    expect(heldFor(null, API)).toBeNull();
  });

  it('a status with missing or malformed fields gives empty lists and an unavailable keychain', async () => {
    server.answer(200, { version: 2, tokens: [null, { masked: 'x' }], terminals: ['1', 2] });
    expect(await fetchServerStatus()).toEqual({
      version: 2,
      tokens: [],
      allowedApiBaseUrls: [],
      keychain: { enabled: false, available: false, backend: null, reason: '' },
      kernels: [],
      kernelClashes: [],
      terminals: ['1'],
      lastForget: null
    });
  });

  it("reads what the last Forget left running (lastForget), and a malformed one's lists as empty", async () => {
    const lastForget = { apiBaseUrl: API, kernels: ['k2'], terminals: ['3'], variables: ['GH_TOKEN'] };
    server.answer(200, { ...STATUS, lastForget });
    expect((await fetchServerStatus())?.lastForget).toEqual(lastForget);
    server.answer(200, { ...STATUS, lastForget: { apiBaseUrl: 7, kernels: 'k2' } });
    expect((await fetchServerStatus())?.lastForget).toEqual({
      apiBaseUrl: null,
      kernels: [],
      terminals: [],
      variables: []
    });
  });

  it('PUT token carries the token, its URL and what Verify learnt', async () => {
    server.answer(200, { ...STATUS, warning: 'No secure backend.' });
    const request = {
      token: TOKEN,
      apiBaseUrl: API,
      variables: ['GITHUB_TOKEN'],
      login: 'octo',
      expiresAt: null,
      scopes: ['repo'],
      remember: true
    };
    const status = await holdOnServer(request);
    expect(calls[0].method).toBe('PUT');
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/token$/);
    expect(body(0)).toEqual(request);
    expect(status.warning).toBe('No secure backend.');
    expect(status.tokens).toEqual([ENTRY]);
  });

  it('PATCH token changes options; a 409 rejects with the reason', async () => {
    server.answer(200, STATUS);
    await updateOnServer({ apiBaseUrl: API, forNewKernels: false });
    expect(calls[0].method).toBe('PATCH');
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/token$/);
    expect(body(0)).toEqual({ apiBaseUrl: API, forNewKernels: false });
    server.answer(409, { message: 'No secure backend.', reason: 'keychain-unavailable' });
    const refused = await updateOnServer({ apiBaseUrl: API, remember: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe('No secure backend.');
    expect(serverFailureOf(refused)).toEqual({
      failure: 'refused',
      httpStatus: 409,
      detail: 'No secure backend.',
      reason: 'keychain-unavailable'
    });
  });

  it('DELETE token names the URL (encoded), or none to forget every entry', async () => {
    server.answer(200, {
      ...STATUS,
      tokens: [],
      stillRunning: ['k1'],
      stillRunningTerminals: ['1'],
      keychainRemoved: false,
      keychainError: 'The keychain is locked.'
    });
    const forgotten = await forgetOnServer('https://ghe.example.com/api/v3');
    expect(calls[0].method).toBe('DELETE');
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/token$/);
    expect(forgotten).toMatchObject({
      tokens: [],
      stillRunning: ['k1'],
      stillRunningTerminals: ['1'],
      keychainRemoved: false,
      keychainError: 'The keychain is locked.'
    });
    await forgetOnServer();
    expect(calls[1].method).toBe('DELETE');
  });

  it('POST token/reveal gives the token; 404 or an answer without one rejects without it', async () => {
    server.answer(200, { token: TOKEN });
    expect(await revealFromServer(API)).toBe(TOKEN);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/token\/reveal$/);
    expect(body(0)).toEqual({ apiBaseUrl: API });
    server.answer(404, { message: 'No token is held for that URL.' });
    await expect(revealFromServer(API)).rejects.toThrow('No token is held for that URL.');
    server.answer(200, {});
    const error = await revealFromServer(API).catch((e: unknown) => e);
    expect(serverFailureOf(error)).toMatchObject({ failure: 'not-delivered' });
  });

  it('POST kernels records a kernel (204); an unknown kernel (404) rejects', async () => {
    const record = { kernelId: 'k1', variables: ['GITHUB_TOKEN'], apiBaseUrl: API };
    server.answer(204, null);
    await expect(recordKernelOnServer(record)).resolves.toBeUndefined();
    expect(calls[0].method).toBe('POST');
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/kernels$/);
    expect(body(0)).toEqual(record);
    server.answer(404, { message: 'No running kernel k1.' });
    await expect(recordKernelOnServer(record)).rejects.toThrow('No running kernel k1.');
  });

  it('no server extension (404) is null; a failing server or network throws (the caller keeps what it knew)', async () => {
    server.answer(404, { message: 'Not Found' });
    expect(await fetchServerStatus()).toBeNull();
    server.answer(500, { message: 'Internal Server Error' });
    await expect(fetchServerStatus()).rejects.toThrow();
    globalThis.fetch = jest.fn(async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    await expect(fetchServerStatus()).rejects.toThrow();
  });
});

describe('subscribeToTokenEvents', () => {
  it("calls back on the extension's token events only, until unsubscribed", () => {
    const stream = new Signal<Event.IManager, Event.Emission>({} as Event.IManager);
    const events = { stream } as unknown as Event.IManager;
    const onEvent = jest.fn();
    const unsubscribe = subscribeToTokenEvents(events, onEvent);
    stream.emit({ schema_id: TOKEN_EVENT_SCHEMA_ID, action: 'forgotten', apiBaseUrl: API });
    stream.emit({ schema_id: 'https://events.jupyter.org/jupyter_server/kernel_actions/v1', action: 'start' });
    expect(onEvent).toHaveBeenCalledTimes(1);
    unsubscribe();
    stream.emit({ schema_id: TOKEN_EVENT_SCHEMA_ID, action: 'held', apiBaseUrl: API });
    expect(onEvent).toHaveBeenCalledTimes(1);
    expect(TOKEN_EVENT_SCHEMA_ID).toBe('https://events.jupyter.org/jupyterlab_github_token/token/v1');
  });
});

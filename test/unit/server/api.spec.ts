import { fetchServerStatus, forgetOnServer, holdOnServer, serverGitHubTransport } from '../../../src/server/api';
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
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
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
    await expect(get(API, '/user')).rejects.toMatchObject({ name: 'AbortError' });
    server.answer(403, { message: 'https://evil.example is not in the allowed GitHub API base URLs' });
    const refused = get(API, '/user');
    await expect(refused).rejects.toBeInstanceOf(TypeError);
    await expect(refused).rejects.toThrow(/not in the allowed/);
  });

  it('refuses URLs outside the API base URL before sending anything', async () => {
    server.answer(200, {});
    await expect(get(API, 'https://example.com/user')).rejects.toBeInstanceOf(TypeError);
    await expect(get(API, '//example.com/user')).rejects.toBeInstanceOf(TypeError);
    await expect(get('http://github.example.com', '/user')).rejects.toBeInstanceOf(TypeError);
    expect(calls).toHaveLength(0);
  });
});

describe('status, hold and forget', () => {
  const server = mockServer();
  const { calls } = server;
  const OLD_SERVER = {
    held: true,
    masked: 'ghp_...abcd',
    login: 'octo',
    expiresAt: null,
    variables: ['GITHUB_TOKEN'],
    kernels: ['k1'],
    gitHosts: ['https://github.com'],
    allowedApiBaseUrls: [API],
    forgetsOnRestart: true
  };

  it('PUT token carries the API base URL the token was verified against', async () => {
    server.answer(200, { ...OLD_SERVER, apiBaseUrl: API, terminals: [], stillRunningTerminals: [] });
    const status = await holdOnServer({ token: TOKEN, variables: ['GITHUB_TOKEN'], apiBaseUrl: API, login: 'octo' });
    expect(calls[0].method).toBe('PUT');
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/token$/);
    expect(JSON.parse(calls[0].body)).toEqual({
      token: TOKEN,
      variables: ['GITHUB_TOKEN'],
      apiBaseUrl: API,
      login: 'octo'
    });
    expect(status.apiBaseUrl).toBe(API);
  });

  it('reads the terminals and the bound host', async () => {
    server.answer(200, { ...OLD_SERVER, apiBaseUrl: API, terminals: ['1', 2, '3'], stillRunningTerminals: [] });
    const status = await fetchServerStatus();
    expect(status).toMatchObject({ held: true, terminals: ['1', '3'], stillRunningTerminals: [], apiBaseUrl: API });
    server.answer(200, {
      ...OLD_SERVER,
      held: false,
      apiBaseUrl: null,
      stillRunning: ['k1'],
      stillRunningTerminals: ['2']
    });
    const forgotten = await forgetOnServer();
    expect(calls[1].method).toBe('DELETE');
    expect(forgotten).toMatchObject({
      held: false,
      stillRunning: ['k1'],
      stillRunningTerminals: ['2'],
      terminals: [],
      apiBaseUrl: null
    });
  });

  it('an older server (without the new fields) gives empty lists and no host', async () => {
    server.answer(200, OLD_SERVER);
    expect(await fetchServerStatus()).toEqual({
      ...OLD_SERVER,
      terminals: [],
      stillRunningTerminals: [],
      apiBaseUrl: null
    });
    server.answer(200, { ...OLD_SERVER, held: false });
    expect(await forgetOnServer()).toMatchObject({ terminals: [], stillRunningTerminals: [], apiBaseUrl: null });
    server.answer(200, OLD_SERVER);
    expect(await holdOnServer({ token: TOKEN, variables: [], apiBaseUrl: API })).toMatchObject({
      terminals: [],
      apiBaseUrl: null
    });
  });

  it('no server extension (404) is null', async () => {
    server.answer(404, { message: 'Not Found' });
    expect(await fetchServerStatus()).toBeNull();
  });
});

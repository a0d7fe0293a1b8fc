import { fetchServerStatus, forgetOnServer, holdOnServer, serverGitHubFetch } from '../../../src/server/api';
import fakeTokens from '../../fake_github/tokens.json';

const TOKEN = fakeTokens.tokens.classicRepo.token;
const API = 'https://api.github.com';

describe('serverGitHubFetch', () => {
  const realFetch = globalThis.fetch;
  let calls: { url: string; init: { method: string; body: string } }[];

  function answer(status: number, body: unknown): void {
    globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      // ServerConnection passes a Request (with a cache-busting query).
      const request = input instanceof Request ? input : new Request(String(input), init);
      calls.push({
        url: request.url.split('?')[0],
        init: { method: request.method, body: await request.text() }
      });
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
  }

  beforeEach(() => {
    calls = [];
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('sends one POST to the server with base URL, path and token, and rebuilds GitHub answer with every header', async () => {
    answer(200, {
      status: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-oauth-scopes': 'repo, user',
        'github-authentication-token-expiration': '2026-12-24 10:00:00 UTC'
      },
      data: { login: 'octo-scientist' }
    });
    const response = await serverGitHubFetch(API + '/')(`${API}/user`, {
      headers: { authorization: `token ${TOKEN}` }
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toMatch(/\/jupyterlab-github-token\/github$/);
    expect(calls[0].init.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ apiBaseUrl: API, path: '/user', token: TOKEN });
    expect(response.status).toBe(200);
    expect(response.headers.get('github-authentication-token-expiration')).toBe('2026-12-24 10:00:00 UTC');
    expect(response.headers.get('x-oauth-scopes')).toBe('repo, user');
    expect(await response.json()).toEqual({ login: 'octo-scientist' });
  });

  it('passes GitHub errors through as responses', async () => {
    answer(200, { status: 401, headers: {}, data: { message: 'Bad credentials' } });
    const response = await serverGitHubFetch(API)(`${API}/repos/octo-org/x?ignored=1`, {
      headers: [['Authorization', `Bearer ${TOKEN}`]]
    });
    expect(JSON.parse(String(calls[0].init.body)).path).toBe('/repos/octo-org/x');
    expect(JSON.parse(String(calls[0].init.body)).token).toBe(TOKEN);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Bad credentials' });
  });

  it('turns a server-side timeout into an AbortError and a refusal into a network error with its message', async () => {
    answer(502, { network: 'timeout' });
    await expect(serverGitHubFetch(API)(`${API}/user`, {})).rejects.toMatchObject({ name: 'AbortError' });
    answer(403, { message: 'https://evil.example is not in the allowed GitHub API base URLs' });
    const refused = serverGitHubFetch(API)(`${API}/user`, { headers: { authorization: `token ${TOKEN}` } });
    await expect(refused).rejects.toBeInstanceOf(TypeError);
    await expect(refused).rejects.toThrow(/not in the allowed/);
  });

  it('refuses URLs outside the API base URL before sending anything', async () => {
    answer(200, {});
    await expect(serverGitHubFetch(API)('https://example.com/user', {})).rejects.toBeInstanceOf(TypeError);
    expect(calls).toHaveLength(0);
  });
});

describe('status, hold and forget', () => {
  const realFetch = globalThis.fetch;
  let calls: { url: string; method: string; body: string }[];
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

  function answer(status: number, body: unknown): void {
    globalThis.fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(String(input), init);
      calls.push({ url: request.url.split('?')[0], method: request.method, body: await request.text() });
      return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    }) as unknown as typeof fetch;
  }

  beforeEach(() => {
    calls = [];
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('PUT token carries the API base URL the token was verified against', async () => {
    answer(200, { ...OLD_SERVER, apiBaseUrl: API, terminals: [], stillRunningTerminals: [] });
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
    answer(200, { ...OLD_SERVER, apiBaseUrl: API, terminals: ['1', 2, '3'], stillRunningTerminals: [] });
    const status = await fetchServerStatus();
    expect(status).toMatchObject({ held: true, terminals: ['1', '3'], stillRunningTerminals: [], apiBaseUrl: API });
    answer(200, { ...OLD_SERVER, held: false, apiBaseUrl: null, stillRunning: ['k1'], stillRunningTerminals: ['2'] });
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
    answer(200, OLD_SERVER);
    expect(await fetchServerStatus()).toEqual({
      ...OLD_SERVER,
      terminals: [],
      stillRunningTerminals: [],
      apiBaseUrl: null
    });
    answer(200, { ...OLD_SERVER, held: false });
    expect(await forgetOnServer()).toMatchObject({ terminals: [], stillRunningTerminals: [], apiBaseUrl: null });
    answer(200, OLD_SERVER);
    expect(await holdOnServer({ token: TOKEN, variables: [], apiBaseUrl: API })).toMatchObject({
      terminals: [],
      apiBaseUrl: null
    });
  });

  it('no server extension (404) is null', async () => {
    answer(404, { message: 'Not Found' });
    expect(await fetchServerStatus()).toBeNull();
  });
});

import { serverGitHubFetch } from '../../src/serverApi';
import fakeTokens from '../fake_github/tokens.json';

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
    const response = await serverGitHubFetch(API + '/')(`${API}/user`, { headers: { authorization: `token ${TOKEN}` } });
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

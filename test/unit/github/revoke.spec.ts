import { revokeTokens } from '../../../src/github/revoke';
import { trans } from '../support/trans';

const TOKEN = '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';

function response(status: number, body: unknown = {}, headers: Record<string, string> = {}): Response {
  return {
    status,
    headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
    json: async () => body
  } as unknown as Response;
}

describe('revokeTokens', () => {
  it('POSTs the tokens, without Authorization, to /credentials/revoke', async () => {
    const fetch = jest.fn(async (_url: string, _init: RequestInit) => response(202));
    const result = await revokeTokens('https://ghe.example.com/api/v3/', [TOKEN, TOKEN], {
      fetch: fetch as unknown as typeof globalThis.fetch,
      trans
    });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/accepted the request to revoke the token/);
    expect(result.message).not.toContain(TOKEN);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('https://ghe.example.com/api/v3/credentials/revoke');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toEqual({ credentials: [TOKEN] });
    expect(Object.keys(init.headers as Record<string, string>).map(h => h.toLowerCase())).not.toContain(
      'authorization'
    );
    expect(init.credentials).toBe('omit');
  });

  it('never sends the token over plain http to another machine', async () => {
    const fetch = jest.fn();
    const result = await revokeTokens('http://ghe.example.com/api/v3', [TOKEN], {
      fetch: fetch as unknown as typeof globalThis.fetch,
      trans
    });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/not https/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('explains a refusal, a rate limit and an unreachable API', async () => {
    const refuse = await revokeTokens('https://api.github.com', [TOKEN], {
      fetch: (async () => response(422, { message: 'Invalid request.\n\nmore' })) as unknown as typeof fetch,
      trans
    });
    expect(refuse).toEqual({ ok: false, message: expect.stringContaining('(422: Invalid request.)') });
    const limited = await revokeTokens('https://api.github.com', [TOKEN], {
      fetch: (async () => response(403, {}, { 'x-ratelimit-remaining': '0' })) as unknown as typeof fetch,
      trans
    });
    expect(limited.message).toMatch(/rate limiting/);
    const down = await revokeTokens('https://api.github.com', [TOKEN], {
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as unknown as typeof fetch,
      trans
    });
    expect(down).toEqual({ ok: false, message: expect.stringContaining('Could not reach api.github.com') });
  });

  it('refuses an empty list', async () => {
    expect((await revokeTokens('https://api.github.com', [], { trans })).ok).toBe(false);
  });
});

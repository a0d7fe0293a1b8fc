import * as fs from 'fs';
import * as path from 'path';

import { apiBaseUrlProblem, isLoopbackHost, normalizeApiBaseUrl } from '../../../src/github/apiBaseUrl';
import { trans } from '../support/trans';

/** Shared with environment.py (test/python/test_policy.py). */
const CASES: {
  urls: { why: string; url: string; normalized: string | null }[];
  hosts: { host: string; loopback: boolean }[];
} = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'corpus', 'url-cases.json'), 'utf-8'));

describe('url-cases.json', () => {
  it.each(CASES.urls.map(c => [c.why, c.url, c.normalized]))('normalizeApiBaseUrl: %s', (_why, url, normalized) => {
    expect(normalizeApiBaseUrl(url as string)).toBe(normalized);
  });

  it.each(CASES.hosts.map(c => [c.host, c.loopback]))('isLoopbackHost(%j) is %s', (host, loopback) => {
    expect(isLoopbackHost(host as string)).toBe(loopback);
  });

  it('apiBaseUrlProblem accepts exactly the URLs the server accepts', () => {
    for (const { url, normalized } of CASES.urls) {
      expect([url, apiBaseUrlProblem(url, trans) === '']).toEqual([url, normalized !== null]);
    }
  });
});

describe('apiBaseUrlProblem', () => {
  it('explains a URL that is not one', () => {
    expect(apiBaseUrlProblem('api.github.com', trans)).toMatch(/is not a URL/);
  });

  it('explains http to a host that is not loopback', () => {
    expect(apiBaseUrlProblem('http://example.com', trans)).toMatch(/http:\/\/example\.com is not https/);
  });

  it('explains credentials without quoting them', () => {
    const problem = apiBaseUrlProblem('https://user:secret@api.github.com', trans);
    expect(problem).toMatch(/credentials, a query or a fragment/);
    expect(problem).not.toContain('secret');
  });

  it('accepts loopback http whatever its case', () => {
    expect(apiBaseUrlProblem('HTTP://LOCALHOST:8080/api/', trans)).toBe('');
    expect(apiBaseUrlProblem('http://127.0.0.2', trans)).toBe('');
  });
});

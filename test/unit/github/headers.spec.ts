import { parseExpiryHeader, parseRateLimit, parseSsoHeader } from '../../../src/github/headers';
import { RESET_EPOCH, rateHeaders, SSO_URL } from './responseFixtures';

describe('parseRateLimit', () => {
  it('reads the x-ratelimit-* headers', () => {
    expect(parseRateLimit(rateHeaders(4990))).toEqual({
      limit: 5000,
      remaining: 4990,
      used: 10,
      resetAt: new Date(RESET_EPOCH * 1000),
      resource: 'core'
    });
  });

  it('needs limit, remaining and reset', () => {
    expect(parseRateLimit({})).toBeUndefined();
    expect(parseRateLimit({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' })).toBeUndefined();
    expect(
      parseRateLimit({
        'x-ratelimit-limit': 'lots',
        'x-ratelimit-remaining': '1',
        'x-ratelimit-reset': '1'
      })
    ).toBeUndefined();
  });

  it('makes used and resource optional, and tolerates header case', () => {
    expect(
      parseRateLimit({
        'X-RateLimit-Limit': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '1700000000'
      })
    ).toEqual({ limit: 60, remaining: 0, resetAt: new Date(1700000000000) });
  });
});

describe('parseSsoHeader', () => {
  it('extracts the authorization URL', () => {
    expect(parseSsoHeader(`required; url=${SSO_URL}`)).toBe(SSO_URL);
  });

  it('ignores headers without a URL, and non-http URLs', () => {
    expect(parseSsoHeader(undefined)).toBeUndefined();
    expect(parseSsoHeader(null)).toBeUndefined();
    expect(parseSsoHeader('required')).toBeUndefined();
    expect(parseSsoHeader('partial-results; organizations=21955855,20582480')).toBeUndefined();
    expect(parseSsoHeader('required; url=javascript:alert(1)')).toBeUndefined();
    expect(parseSsoHeader('required; url=data:text/html,x')).toBeUndefined();
    expect(parseSsoHeader('required; url=not a url')).toBeUndefined();
  });
});

describe('parseExpiryHeader', () => {
  it('parses UTC and numeric offsets', () => {
    expect(parseExpiryHeader('2026-12-24 10:00:00 UTC')).toEqual(new Date('2026-12-24T10:00:00Z'));
    expect(parseExpiryHeader('2026-12-24 10:00:00 -0700')).toEqual(new Date('2026-12-24T17:00:00Z'));
    expect(parseExpiryHeader('2026-12-24 10:00:00 +0530')).toEqual(new Date('2026-12-24T04:30:00Z'));
  });

  it('returns null when absent and undefined when unparsable', () => {
    expect(parseExpiryHeader(null)).toBeNull();
    expect(parseExpiryHeader(undefined)).toBeNull();
    for (const value of [
      '',
      'soon',
      '2026-13-01 00:00:00 UTC',
      '2026-02-30 00:00:00 UTC',
      '2026-12-24 25:00:00 UTC',
      '2026-12-24 10:00:00 PST'
    ]) {
      expect(parseExpiryHeader(value)).toBeUndefined();
    }
  });
});

describe('parseExpiryHeader reads the one policy rule', () => {
  it("uses policy.json's github.expirationHeader (case-insensitive), not a copy of its own", () => {
    jest.isolateModules(() => {
      jest.doMock('../../../src/policy/policy', () => {
        const actual = jest.requireActual('../../../src/policy/policy');
        // A narrower rule: only the UTC zone.
        const expirationHeader = '(\\d{4})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2})(?::(\\d{2}))? (utc)';
        return { ...actual, GITHUB_POLICY: { ...actual.GITHUB_POLICY, expirationHeader } };
      });
      const { parseExpiryHeader: parse } = jest.requireActual('../../../src/github/headers');
      expect(parse('2026-12-24 10:00:00 UTC')).toEqual(new Date('2026-12-24T10:00:00Z'));
      expect(parse('2026-12-24 10:00:00 -0700')).toBeUndefined();
    });
  });
});

import {
  API_BASE_URL_POLICY,
  ENV_NAME_POLICY,
  GITHUB_POLICY,
  MASK_POLICY,
  TOKEN_POLICY,
  WIDGET_MODEL_ID_POLICY,
  wholeMatch
} from '../../../src/policy/policy';

/**
 * The shape the readers rely on (test/python/test_policy.py checks the same
 * in Python): a change to policy.json that breaks a derivation fails here.
 */
describe('policy.json', () => {
  const prefixes = TOKEN_POLICY.prefixes.map(rule => rule.prefix);
  const short = prefixes.filter(prefix => prefix !== TOKEN_POLICY.fineGrained.prefix);

  it('every prefix ends in an underscore (the scanner finds prefixes by it)', () => {
    expect(prefixes.every(prefix => prefix.endsWith('_'))).toBe(true);
  });

  it('the short prefixes have one length, and the fine-grained prefix is listed', () => {
    expect(new Set(short.map(prefix => prefix.length)).size).toBe(1);
    expect(prefixes).toContain(TOKEN_POLICY.fineGrained.prefix);
  });

  it('fixed-length kinds are kinds of short prefixes', () => {
    const kinds = TOKEN_POLICY.prefixes.filter(rule => short.includes(rule.prefix)).map(rule => rule.kind);
    for (const kind of TOKEN_POLICY.fixedLength.kinds) {
      expect(kinds).toContain(kind);
    }
  });

  it('the checksum alphabet is the body charset, 62 distinct digits', () => {
    const alphabet = TOKEN_POLICY.fixedLength.checksumAlphabet;
    expect(new Set(alphabet).size).toBe(62);
    expect(wholeMatch(`${TOKEN_POLICY.bodyCharset}*`).test(alphabet)).toBe(true);
    const body = new RegExp(TOKEN_POLICY.bodyCharset);
    const all = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).filter(c => body.test(c));
    expect(all.sort().join('')).toBe([...alphabet].sort().join(''));
  });

  it('the body charset is the token charset without the underscore', () => {
    const word = new RegExp(TOKEN_POLICY.charset);
    const body = new RegExp(TOKEN_POLICY.bodyCharset);
    for (let code = 0; code < 128; code++) {
      const char = String.fromCharCode(code);
      expect([char, body.test(char)]).toEqual([char, word.test(char) && char !== '_']);
    }
  });

  it('the scanner minimum is the shortest fine-grained candidate and fits every shape', () => {
    expect(TOKEN_POLICY.scan.minLength).toBe(
      TOKEN_POLICY.fineGrained.prefix.length + TOKEN_POLICY.fineGrained.firstPart
    );
    expect(TOKEN_POLICY.scan.minLength).toBeLessThanOrEqual(short[0].length + TOKEN_POLICY.fixedLength.bodyLength);
  });

  it('patterns compile and anchor', () => {
    for (const pattern of [
      TOKEN_POLICY.legacy,
      ENV_NAME_POLICY.pattern,
      ENV_NAME_POLICY.tokenVariable,
      WIDGET_MODEL_ID_POLICY.pattern
    ]) {
      expect(wholeMatch(pattern).test('')).toBe(false);
    }
    expect(wholeMatch(ENV_NAME_POLICY.pattern).test('GITHUB_TOKEN x')).toBe(false);
    expect(wholeMatch(ENV_NAME_POLICY.tokenVariable).test('MY_PAT')).toBe(true);
    expect(wholeMatch(ENV_NAME_POLICY.tokenVariable).test('NOPAT_X')).toBe(false);
  });

  it('defaults are valid token variables, not reserved', () => {
    for (const name of ENV_NAME_POLICY.defaults) {
      expect(wholeMatch(ENV_NAME_POLICY.pattern).test(name)).toBe(true);
      expect(wholeMatch(ENV_NAME_POLICY.tokenVariable).test(name)).toBe(true);
      expect(ENV_NAME_POLICY.reserved).not.toContain(name);
      expect(ENV_NAME_POLICY.reservedPrefixes.some(prefix => name.startsWith(prefix))).toBe(false);
    }
    expect(ENV_NAME_POLICY.defaults.length).toBeLessThanOrEqual(ENV_NAME_POLICY.maxNames);
  });

  it('the mask reveals less than a token', () => {
    expect(MASK_POLICY.tail).toBeLessThan(MASK_POLICY.minBody);
    expect(MASK_POLICY.minLength).toBeGreaterThan(MASK_POLICY.tail);
  });

  it('the default API base URL is accepted by its own rule', () => {
    expect(API_BASE_URL_POLICY.schemes).toContain('https');
    expect(API_BASE_URL_POLICY.default.length).toBeLessThanOrEqual(API_BASE_URL_POLICY.maxLength);
  });
});

describe('policy.json github', () => {
  it('login: letters, digits and hyphens up to 39, with an optional [bot] suffix', () => {
    const login = wholeMatch(GITHUB_POLICY.login);
    for (const ok of ['octocat', 'octo-org', 'a', 'dependabot[bot]', 'x'.repeat(39)]) {
      expect(login.test(ok)).toBe(true);
    }
    for (const bad of ['', '-octo', 'octo cat', 'x'.repeat(40), 'octo[bot]x', 'o/c']) {
      expect(login.test(bad)).toBe(false);
    }
  });

  it('expirationHeader: the seven groups headers.ts reads (year, month, day, hour, minute, second, zone)', () => {
    const header = wholeMatch(GITHUB_POLICY.expirationHeader, 'i');
    expect(header.exec('2026-12-24 10:00:00 UTC')?.slice(1)).toEqual(['2026', '12', '24', '10', '00', '00', 'UTC']);
    expect(header.exec('2027-01-05 09:30 -07:00')?.slice(1)).toEqual([
      '2027',
      '01',
      '05',
      '09',
      '30',
      undefined,
      '-07:00'
    ]);
    expect(header.test('soon')).toBe(false);
  });
});

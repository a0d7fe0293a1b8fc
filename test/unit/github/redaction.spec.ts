import { TOKEN_POLICY } from '../../../src/policy/policy';
import { isHttpUrl, redactSecrets, sanitizeText } from '../../../src/github/redaction';

const LEGACY = 'e72e16c7e42f292c6912e7710c838347ae178b4a';

describe('redactSecrets', () => {
  it.each(TOKEN_POLICY.prefixes.map(rule => rule.prefix))('redacts every policy prefix: %s', prefix => {
    expect(redactSecrets(`a ${prefix}abcDEF0123_x b`)).toBe('a [redacted] b');
    expect(redactSecrets(`token_${prefix}abcDEF0123`)).toBe('token_[redacted]');
  });

  it('leaves a prefix inside a longer word alone', () => {
    expect(redactSecrets('xghp_abc and 1gho_abc')).toBe('xghp_abc and 1gho_abc');
  });

  it('redacts the whole run of hexadecimal digits around an old token, whatever its case', () => {
    expect(redactSecrets(`${LEGACY}`)).toBe('[redacted]');
    expect(redactSecrets(`<${LEGACY.toUpperCase()}>`)).toBe('<[redacted]>');
    expect(redactSecrets(`x ${LEGACY}0123abcd y`)).toBe('x [redacted] y');
    expect(redactSecrets(`x 9${LEGACY}${LEGACY} y`)).toBe('x [redacted] y');
    expect(redactSecrets(`${LEGACY}_ghp_abc`)).toBe('[redacted]_[redacted]');
  });

  it('keeps 39 hexadecimal digits and a prefixed token as a whole', () => {
    expect(redactSecrets(LEGACY.slice(1))).toBe(LEGACY.slice(1));
    expect(redactSecrets(`ghp_${LEGACY}`)).toBe('[redacted]');
  });
});

describe('sanitizeText', () => {
  it('replaces control characters and bounds the length', () => {
    expect(sanitizeText(' a\u0000\u001b[31mb\n\u007fc ')).toBe('a [31mb c');
    const long = sanitizeText('x'.repeat(500), 50);
    expect(long).toHaveLength(50);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('isHttpUrl', () => {
  it('accepts http(s) only', () => {
    expect(isHttpUrl('https://github.com/x')).toBe(true);
    expect(isHttpUrl('http://localhost:8080')).toBe(true);
    for (const value of ['javascript:alert(1)', 'data:text/html,x', 'not a url', '', 'ftp://github.com']) {
      expect(isHttpUrl(value)).toBe(false);
    }
  });
});

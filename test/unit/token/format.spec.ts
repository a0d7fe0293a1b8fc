import type { Trans } from '../../../src/i18n';
import type { TokenKind } from '../../../src/policy/policy';
import {
  checkTokenFormat,
  normalizeTokenInput,
  tokenChecksumValid,
  tokenKindLabel,
  tokenKindOf
} from '../../../src/token/format';
import { crc32, toBase62 } from '../../../src/token/checksum';
import { seededRandom } from '../support/testing';
import { trans } from '../support/trans';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Generate a token with a correct checksum: prefix + payload + crc62. */
function makeToken(prefix: string, payloadLength: number, seed: number): string {
  const random = seededRandom(seed);
  let payload = '';
  for (let i = 0; i < payloadLength; i++) {
    payload += ALPHABET[Math.floor(random() * 62)];
  }
  return prefix + payload + toBase62(crc32(payload), 6);
}

/** A fine-grained shaped token: github_pat_ + 22 + _ + 59 (checksum last 6). */
function makeFineGrained(seed: number): string {
  const random = seededRandom(seed);
  const pick = (n: number): string => Array.from({ length: n }, () => ALPHABET[Math.floor(random() * 62)]).join('');
  const body = `${pick(22)}_${pick(53)}`;
  return `github_pat_${body}${toBase62(crc32(body), 6)}`;
}

/**
 * Real classic tokens published (already expired and revoked) as fixtures in
 * therootcompany/base62-token.js, test.js ("20 actual, real-world GitHub
 * tokens"), also shown in the author's gist on GitHub's token format.
 */
const PUBLISHED_REAL_TOKENS = [
  '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',
  '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',
  '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',
  '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'
];

/**
 * Widely published placeholders that are NOT real tokens: their checksum
 * fails, which is exactly what the checker must report.
 * - the example used across documentation and secret-scanner fixtures;
 * - Microsoft Purview's "GitHub personal access token" example.
 */
const PUBLISHED_PLACEHOLDERS = ['ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'ghp_abcdefghijklmnopqrstuvwxyzABCD012345'];

/** Asserts no message leaks more of the token than its mask. */
function expectNoLeak(token: string, messages: string[]): void {
  const secret = token.replace(/^(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_)/, '');
  for (const message of messages) {
    // No run of 8+ characters of the secret part appears in a message.
    for (let i = 0; i + 8 <= secret.length; i++) {
      expect(message).not.toContain(secret.slice(i, i + 8));
    }
  }
}

describe('crc32 and base62', () => {
  it('matches the standard CRC32 (zlib/IEEE) test vectors', () => {
    expect(crc32('')).toBe(0);
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
    expect(crc32('a')).toBe(0xe8b7be43);
  });

  it('is unsigned', () => {
    for (let i = 0; i < 50; i++) {
      const value = crc32(`x${i}`);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(0xffffffff);
    }
  });

  it('encodes base62 with 0-9A-Za-z and left padding', () => {
    expect(toBase62(0, 6)).toBe('000000');
    expect(toBase62(61, 1)).toBe('z');
    expect(toBase62(62, 0)).toBe('10');
    expect(toBase62(36, 3)).toBe('00a');
    expect(toBase62(0xffffffff, 6)).toBe('4gfFC3');
    expect(toBase62(62 ** 6, 6)).toBe('1000000');
    expect(() => toBase62(-1, 6)).toThrow(RangeError);
    expect(() => toBase62(1.5, 6)).toThrow(RangeError);
  });
});

describe('tokenKindOf / tokenKindLabel', () => {
  const cases: Array<[string, TokenKind]> = [
    [makeToken('ghp_', 30, 1), 'classic'],
    [makeFineGrained(2), 'fine-grained'],
    [makeToken('gho_', 30, 3), 'oauth'],
    [makeToken('ghu_', 30, 4), 'user-to-server'],
    [makeToken('ghs_', 30, 5), 'server-to-server'],
    [makeToken('ghr_', 30, 6), 'refresh'],
    ['0123456789abcdef0123456789abcdef01234567', 'legacy'],
    ['0123456789ABCDEF0123456789ABCDEF01234567', 'unknown'],
    ['glpat-abcdefghijklmnopqrst', 'unknown'],
    ['', 'unknown']
  ];
  it.each(cases)('%s is %s', (token, kind) => {
    expect(tokenKindOf(token)).toBe(kind);
  });

  it('labels every kind', () => {
    expect(tokenKindLabel('classic', trans)).toBe('Personal access token (classic)');
    expect(tokenKindLabel('fine-grained', trans)).toBe('Fine-grained personal access token');
    const kinds: TokenKind[] = ['oauth', 'user-to-server', 'server-to-server', 'refresh', 'legacy', 'unknown'];
    const labels = new Set(kinds.map(kind => tokenKindLabel(kind, trans)));
    expect(labels.size).toBe(kinds.length);
  });

  it('uses the translator', () => {
    const marked: Trans = {
      __: (msg: string) => `T(${msg})`,
      _n: (s: string) => s
    };
    expect(tokenKindLabel('classic', marked)).toBe('T(Personal access token (classic))');
  });
});

describe('normalizeTokenInput', () => {
  it('strips surrounding whitespace only', () => {
    expect(normalizeTokenInput('  ghp_x\n')).toBe('ghp_x');
    expect(normalizeTokenInput('\tghp_x\r\n')).toBe('ghp_x');
    expect(normalizeTokenInput('ghp_ x')).toBe('ghp_ x');
  });
});

describe('tokenChecksumValid', () => {
  it('accepts generated tokens of every checksummed prefix', () => {
    for (const prefix of ['ghp_', 'gho_', 'ghu_', 'ghr_']) {
      for (let seed = 10; seed < 30; seed++) {
        expect(tokenChecksumValid(makeToken(prefix, 30, seed))).toBe(true);
      }
    }
  });

  it('accepts real published (revoked) classic tokens', () => {
    for (const token of PUBLISHED_REAL_TOKENS) {
      expect(tokenChecksumValid(token)).toBe(true);
    }
  });

  it('rejects published placeholders that are not real tokens', () => {
    for (const token of PUBLISHED_PLACEHOLDERS) {
      expect(tokenChecksumValid(token)).toBe(false);
    }
  });

  it('computes the advisory result for github_pat_', () => {
    const token = makeFineGrained(7);
    expect(tokenChecksumValid(token)).toBe(true);
    expect(tokenChecksumValid(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBe(false);
  });

  it('is undefined when not applicable', () => {
    expect(tokenChecksumValid(makeToken('ghs_', 30, 8))).toBeUndefined();
    expect(tokenChecksumValid('0123456789abcdef0123456789abcdef01234567')).toBeUndefined();
    expect(tokenChecksumValid('ghp_short')).toBeUndefined();
    expect(tokenChecksumValid(makeToken('ghp_', 31, 9))).toBeUndefined();
    expect(tokenChecksumValid('ghp_' + ' '.repeat(36))).toBeUndefined();
    expect(tokenChecksumValid('hello')).toBeUndefined();
  });
});

describe('checkTokenFormat', () => {
  const classic = makeToken('ghp_', 30, 42);

  it('accepts a valid classic token', () => {
    const check = checkTokenFormat(classic, trans);
    expect(check).toEqual({
      token: classic,
      kind: 'classic',
      kindLabel: 'Personal access token (classic)',
      ok: true,
      checksum: 'valid',
      issues: []
    });
  });

  it('accepts the published real tokens', () => {
    for (const token of PUBLISHED_REAL_TOKENS) {
      const check = checkTokenFormat(token, trans);
      expect(check.ok).toBe(true);
      expect(check.checksum).toBe('valid');
    }
  });

  it('reports published placeholders as mistyped', () => {
    for (const token of PUBLISHED_PLACEHOLDERS) {
      const check = checkTokenFormat(token, trans);
      expect(check.ok).toBe(false);
      expect(check.checksum).toBe('invalid');
      expect(check.issues.map(i => i.code)).toEqual(['checksum-mismatch']);
      expect(check.issues[0].message).toMatch(/mistyped or truncated; copy it again from GitHub/);
    }
  });

  it('handles a trailing newline and surrounding spaces', () => {
    const check = checkTokenFormat(`  ${classic}\n`, trans);
    expect(check.ok).toBe(true);
    expect(check.token).toBe(classic);
  });

  it('accepts OAuth (gh auth token) and GitHub App user access tokens without issues', () => {
    for (const [prefix, kind] of [
      ['gho_', 'oauth'],
      ['ghu_', 'user-to-server']
    ] as const) {
      const token = makeToken(prefix, 30, 5);
      const check = checkTokenFormat(token, trans);
      expect(check).toMatchObject({ ok: true, kind, checksum: 'valid', issues: [] });
    }
  });

  describe('tokens that are not personal access tokens (not-a-pat)', () => {
    it('a ghr_ refresh token is an error: it cannot call the API', () => {
      const token = makeToken('ghr_', 30, 5);
      const check = checkTokenFormat(token, trans);
      expect(check).toMatchObject({
        ok: false,
        kind: 'refresh',
        kindLabel: 'GitHub App refresh token',
        // The format itself is fine: the checksum is still checked.
        checksum: 'valid'
      });
      expect(check.issues).toHaveLength(1);
      expect(check.issues[0]).toMatchObject({ code: 'not-a-pat', severity: 'error' });
      expect(check.issues[0].message).toMatch(/refresh token/);
      expect(check.issues[0].message).toMatch(/cannot call the API/);
      expect(check.issues[0].message).toMatch(/personal access token/);
      expectNoLeak(
        token,
        check.issues.map(i => i.message)
      );
    });

    it('a truncated ghr_ token reports not-a-pat first, then the length', () => {
      const token = makeToken('ghr_', 30, 6).slice(0, 30);
      const check = checkTokenFormat(`${token}\n`, trans);
      expect(check.ok).toBe(false);
      expect(check.issues.map(i => [i.code, i.severity])).toEqual([
        ['not-a-pat', 'error'],
        ['wrong-length', 'error']
      ]);
      expect(check.checksum).toBe('unverified');
      expectNoLeak(
        token,
        check.issues.map(i => i.message)
      );
    });

    it('a ghs_ installation token is only a warning: GET /user will be refused', () => {
      const token = makeToken('ghs_', 30, 5);
      const check = checkTokenFormat(token, trans);
      expect(check).toMatchObject({
        ok: true,
        kind: 'server-to-server',
        checksum: 'not-applicable'
      });
      expect(check.issues).toHaveLength(1);
      expect(check.issues[0]).toMatchObject({ code: 'not-a-pat', severity: 'warning' });
      expect(check.issues[0].message).toMatch(/installation token cannot identify a user/);
      expect(check.issues[0].message).toMatch(/GET \/user will be refused/);
      expect(check.issues[0].message).toMatch(/personal access token/);
      expectNoLeak(
        token,
        check.issues.map(i => i.message)
      );
      // Installation tokens have no fixed length.
      const long = checkTokenFormat('ghs_' + 'a'.repeat(200), trans);
      expect(long.ok).toBe(true);
      expect(long.issues.map(i => i.code)).toEqual(['not-a-pat']);
    });

    it('classic, fine-grained and legacy tokens are not flagged', () => {
      for (const token of [makeToken('ghp_', 30, 7), makeFineGrained(7), '0123456789abcdef0123456789abcdef01234567']) {
        expect(checkTokenFormat(token, trans).issues.map(i => i.code)).not.toContain('not-a-pat');
      }
    });

    it('a wrong-case GHR_ prefix is an unknown prefix, not a refresh token', () => {
      const check = checkTokenFormat('GHR_' + makeToken('ghr_', 30, 8).slice(4), trans);
      expect(check.kind).toBe('unknown');
      expect(check.issues.map(i => i.code)).toEqual(['unknown-prefix']);
    });

    it('translates the messages', () => {
      const upper: Trans = {
        ...trans,
        // eslint-disable-next-line jupyter/no-dynamic-translation -- a wrapper passes the literal it was given
        __: (msgid: string, ...args: unknown[]) => trans.__(msgid, ...args).toUpperCase()
      };
      const check = checkTokenFormat(makeToken('ghr_', 30, 9), upper);
      expect(check.issues[0].message).toMatch(/REFRESH TOKEN/);
    });
  });

  it('accepts a well-formed fine-grained token', () => {
    const token = makeFineGrained(11);
    expect(token).toHaveLength(93);
    const check = checkTokenFormat(token, trans);
    expect(check).toMatchObject({ ok: true, kind: 'fine-grained', checksum: 'valid', issues: [] });
  });

  it('only warns on a fine-grained checksum mismatch', () => {
    const token = makeFineGrained(12);
    const changed = token.slice(0, 20) + (token[20] === 'x' ? 'y' : 'x') + token.slice(21);
    const check = checkTokenFormat(changed, trans);
    expect(check.ok).toBe(true);
    expect(check.checksum).toBe('unverified');
    expect(check.issues).toHaveLength(1);
    expect(check.issues[0]).toMatchObject({ code: 'checksum-advisory', severity: 'warning' });
  });

  it('rejects a fine-grained token of the wrong length', () => {
    const token = makeFineGrained(13);
    const check = checkTokenFormat(token.slice(0, 90), trans);
    expect(check.ok).toBe(false);
    expect(check.issues.map(i => i.code)).toEqual(['wrong-length']);
    expect(check.issues[0].message).toContain('93');
    expect(check.issues[0].message).toContain('90');
    expect(check.checksum).toBe('unverified');
  });

  it('accepts a legacy hexadecimal token', () => {
    const check = checkTokenFormat('0123456789abcdef0123456789abcdef01234567', trans);
    expect(check).toMatchObject({ ok: true, kind: 'legacy', checksum: 'not-applicable' });
  });

  describe('near misses of a classic token', () => {
    const flip = (c: string): string => (c === 'a' ? 'b' : 'a');

    it.each([4, 10, 20, 33, 34, 39])('one character changed at %i', index => {
      const changed = classic.slice(0, index) + flip(classic[index]) + classic.slice(index + 1);
      const check = checkTokenFormat(changed, trans);
      expect(check.ok).toBe(false);
      expect(check.checksum).toBe('invalid');
      expect(check.issues.map(i => i.code)).toEqual(['checksum-mismatch']);
    });

    it('truncated', () => {
      const check = checkTokenFormat(classic.slice(0, -1), trans);
      expect(check.ok).toBe(false);
      expect(check.issues.map(i => i.code)).toEqual(['wrong-length']);
      expect(check.issues[0].message).toContain('40');
      expect(check.issues[0].message).toContain('39');
      expect(check.checksum).toBe('unverified');
    });

    it('one extra character', () => {
      const check = checkTokenFormat(classic + 'x', trans);
      expect(check.issues.map(i => i.code)).toEqual(['wrong-length']);
    });

    it('swapped case of the body', () => {
      const swapped =
        classic.slice(0, 4) +
        classic
          .slice(4)
          .split('')
          .map(c => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
          .join('');
      const check = checkTokenFormat(swapped, trans);
      expect(check.ok).toBe(false);
      expect(check.checksum).toBe('invalid');
    });

    it('upper-case prefix', () => {
      const check = checkTokenFormat('GHP_' + classic.slice(4), trans);
      expect(check.kind).toBe('unknown');
      expect(check.issues.map(i => i.code)).toEqual(['unknown-prefix']);
      expect(check.issues[0].message).toMatch(/lowercase ghp_/);
    });

    it('two adjacent characters swapped', () => {
      let i = 10;
      while (classic[i] === classic[i + 1]) {
        i++;
      }
      const swapped = classic.slice(0, i) + classic[i + 1] + classic[i] + classic.slice(i + 2);
      expect(checkTokenFormat(swapped, trans).checksum).toBe('invalid');
    });

    it('inner space', () => {
      const check = checkTokenFormat(classic.slice(0, 20) + ' ' + classic.slice(20), trans);
      expect(check.ok).toBe(false);
      expect(check.issues.map(i => i.code)).toContain('inner-whitespace');
      expect(check.issues.find(i => i.code === 'inner-whitespace')?.message).toMatch(/spaces/);
    });

    it('inner line break and tab', () => {
      const check = checkTokenFormat(classic.slice(0, 20) + '\n\t' + classic.slice(20), trans);
      const message = check.issues.find(i => i.code === 'inner-whitespace')?.message;
      expect(message).toMatch(/line breaks/);
      expect(message).toMatch(/tabs/);
    });

    it('wrapped in quotes', () => {
      for (const quoted of [`"${classic}"`, `'${classic}'`, `\u201c${classic}\u201d`]) {
        const check = checkTokenFormat(quoted, trans);
        expect(check.ok).toBe(false);
        const bad = check.issues.find(i => i.code === 'bad-characters');
        expect(bad?.message).toMatch(/quotes/);
        expect(bad?.severity).toBe('error');
      }
    });

    it('with a look-alike letter', () => {
      const check = checkTokenFormat(classic.slice(0, 10) + '\u043e' + classic.slice(11), trans);
      expect(check.issues.map(i => i.code)).toEqual(['bad-characters']);
      expect(check.issues[0].message).toMatch(/non-ASCII/);
    });

    it('with a zero-width space', () => {
      const check = checkTokenFormat(classic.slice(0, 10) + '\u200b' + classic.slice(10), trans);
      expect(check.ok).toBe(false);
      expect(check.issues[0].message).toMatch(/zero-width/);
    });

    it('with punctuation, hyphens and control characters', () => {
      const check = checkTokenFormat('ghp_ab-cd;ef\u0000' + 'x'.repeat(27), trans);
      const message = check.issues.find(i => i.code === 'bad-characters')?.message ?? '';
      expect(message).toMatch(/hyphens/);
      expect(message).toMatch(/punctuation/);
      expect(message).toMatch(/control characters/);
    });
  });

  it('rejects empty input', () => {
    for (const raw of ['', '   ', '\n']) {
      const check = checkTokenFormat(raw, trans);
      expect(check).toMatchObject({ ok: false, token: '', checksum: 'not-applicable' });
      expect(check.issues.map(i => i.code)).toEqual(['empty']);
    }
  });

  it('rejects an unknown prefix, mentioning ghp_ and github_pat_', () => {
    const check = checkTokenFormat('glpat-xxxxxxxxxxxxxxxxxxxx', trans);
    expect(check.ok).toBe(false);
    const issue = check.issues.find(i => i.code === 'unknown-prefix');
    expect(issue?.message).toContain('ghp_');
    expect(issue?.message).toContain('github_pat_');
  });

  it('handles 10 KB of input quickly and without echoing it', () => {
    const huge = 'ghp_' + 'A'.repeat(10 * 1024);
    const started = Date.now();
    const check = checkTokenFormat(huge, trans);
    expect(Date.now() - started).toBeLessThan(500);
    expect(check.ok).toBe(false);
    expect(check.issues.map(i => i.code)).toEqual(['too-long', 'wrong-length']);
    for (const issue of check.issues) {
      expect(issue.message.length).toBeLessThan(300);
      expect(issue.message).not.toContain('AAAAAAAA');
    }
    const hugeHostile = checkTokenFormat(`'"; ${'x'.repeat(10240)}`, trans);
    expect(hugeHostile.ok).toBe(false);
  });

  it('never includes the token in messages', () => {
    const inputs = [
      classic.slice(0, -1),
      classic.slice(0, 20) + ' ' + classic.slice(20),
      `"${classic}"`,
      classic.slice(0, 10) + 'Z' + classic.slice(11),
      'GHP_' + classic.slice(4),
      makeFineGrained(3).slice(0, 80)
    ];
    for (const raw of inputs) {
      const check = checkTokenFormat(raw, trans);
      expect(check.issues.length).toBeGreaterThan(0);
      expectNoLeak(
        raw.trim().replace(/^["\u201c]/, ''),
        check.issues.map(i => i.message)
      );
    }
  });

  it('translates messages through the given Trans', () => {
    const seen: string[] = [];
    const recording: Trans = {
      __: (msg: string, ...args: unknown[]) => {
        seen.push(msg);
        // eslint-disable-next-line jupyter/no-dynamic-translation -- a wrapper passes the literal it was given
        return trans.__(msg, ...args);
      },
      _n: trans._n
    };
    checkTokenFormat(classic.slice(0, -1), recording);
    expect(seen.some(msg => msg.includes('%1'))).toBe(true);
  });
});

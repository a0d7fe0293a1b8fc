import * as fs from 'fs';
import * as path from 'path';

import { maskToken } from '../../../src/token/mask';

/** Shared with the server's mask_token (test/python/test_policy.py). */
const MASK_CASES: { why: string; token: string; mask: string }[] = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'corpus', 'mask-cases.json'), 'utf-8')
).cases;

const CLASSIC = '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';
const FINE = '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';

describe('maskToken', () => {
  it('shows the prefix and last 4 characters', () => {
    expect(maskToken(CLASSIC)).toBe(`ghp_...${CLASSIC.slice(-4)}`);
    expect(maskToken(FINE)).toBe(`github_pat_...${FINE.slice(-4)}`);
    expect(maskToken(`${CLASSIC}\n`)).toBe(`ghp_...${CLASSIC.slice(-4)}`);
  });

  it('masks old hexadecimal tokens', () => {
    expect(maskToken('0123456789abcdef0123456789abcdef01234567')).toBe('••••...4567');
  });

  it('reveals nothing for short, unknown or malformed input', () => {
    expect(maskToken('')).toBe('••••');
    expect(maskToken('ghp_abc')).toBe('••••');
    expect(maskToken('ghp_abcdefg')).toBe('••••');
    expect(maskToken('github_pat_abc')).toBe('••••');
    expect(maskToken('supersecretpassword')).toBe('••••');
    expect(maskToken('ghp_abcdefghij klmnop')).toBe('••••');
  });

  it.each(MASK_CASES.map(c => [c.why, c.token, c.mask]))('mask-cases.json: %s', (_why, token, mask) => {
    expect(maskToken(token)).toBe(mask);
  });

  it('never reveals more than the prefix and the tail', () => {
    for (const { token, mask } of MASK_CASES) {
      const secret = token.trim().slice(4, -4);
      if (secret.length >= 4) {
        expect(mask).not.toContain(secret);
      }
    }
  });
});

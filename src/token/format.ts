/**
 * Offline checks of a GitHub token's format: kind (from its prefix), length,
 * character set and the CRC32 checksum that new-format tokens end with.
 *
 * Nothing here talks to GitHub, and no message ever contains the token or any
 * part of it beyond what {@link maskToken} reveals.
 */

import { defaultTrans, Trans } from '../i18n';
import { crc32, toBase62 } from './checksum';

export { crc32, toBase62 };

/** The kinds of GitHub tokens this extension can recognise. */
export type TokenKind =
  'classic' | 'fine-grained' | 'oauth' | 'user-to-server' | 'server-to-server' | 'refresh' | 'legacy' | 'unknown';

/** Token prefixes and the kind each one denotes (longest first). */
const PREFIXES: ReadonlyArray<readonly [string, TokenKind]> = [
  ['github_pat_', 'fine-grained'],
  ['ghp_', 'classic'],
  ['gho_', 'oauth'],
  ['ghu_', 'user-to-server'],
  ['ghs_', 'server-to-server'],
  ['ghr_', 'refresh']
];

/** Kinds whose tokens are exactly prefix + 36 characters, with a checksum. */
const FIXED_LENGTH_KINDS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  'classic',
  'oauth',
  'user-to-server',
  'refresh'
]);

/** Length of the body (after the 4-character prefix) of fixed-length tokens. */
const FIXED_BODY_LENGTH = 36;

/** Total length of a fine-grained token: `github_pat_` + 22 + `_` + 59. */
const FINE_GRAINED_LENGTH = 93;

/** Number of trailing checksum characters in new-format tokens. */
const CHECKSUM_LENGTH = 6;

/** Longest token GitHub says integrators must accept. */
export const MAX_TOKEN_LENGTH = 255;

/** Every character GitHub uses in tokens. */
const TOKEN_CHARSET = /^[A-Za-z0-9_]*$/;

/** Old (pre-2021) tokens: 40 lowercase hexadecimal characters. */
const LEGACY_TOKEN = /^[0-9a-f]{40}$/;

/**
 * Return the prefix of `token` if it starts with a known GitHub token prefix.
 */
export function tokenPrefixOf(token: string): string | undefined {
  for (const [prefix] of PREFIXES) {
    if (token.startsWith(prefix)) {
      return prefix;
    }
  }
  return undefined;
}

/**
 * Strip leading and trailing whitespace (users often paste a token with a
 * trailing newline). Whitespace inside the token is kept, so that it can be
 * reported rather than silently "repaired".
 */
export function normalizeTokenInput(raw: string): string {
  return raw.trim();
}

/**
 * Tell which kind of token `token` is, from its prefix (or, for old tokens,
 * from being 40 lowercase hexadecimal characters). Surrounding whitespace is
 * ignored.
 */
export function tokenKindOf(token: string): TokenKind {
  const normalized = normalizeTokenInput(token);
  for (const [prefix, kind] of PREFIXES) {
    if (normalized.startsWith(prefix)) {
      return kind;
    }
  }
  return LEGACY_TOKEN.test(normalized) ? 'legacy' : 'unknown';
}

/** A human-readable name for a token kind. */
export function tokenKindLabel(kind: TokenKind, trans: Trans = defaultTrans): string {
  switch (kind) {
    case 'classic':
      return trans.__('Personal access token (classic)');
    case 'fine-grained':
      return trans.__('Fine-grained personal access token');
    case 'oauth':
      return trans.__('OAuth app access token');
    case 'user-to-server':
      return trans.__('GitHub App user access token');
    case 'server-to-server':
      return trans.__('GitHub App installation access token');
    case 'refresh':
      return trans.__('GitHub App refresh token');
    case 'legacy':
      return trans.__('Old-format token (40 hexadecimal characters)');
    default:
      return trans.__('Unrecognized token');
  }
}

/** Whether `payload + checksum` satisfies GitHub's CRC32/base62 scheme. */
function checksumMatches(body: string): boolean {
  const payload = body.slice(0, -CHECKSUM_LENGTH);
  const checksum = body.slice(-CHECKSUM_LENGTH);
  return toBase62(crc32(payload), CHECKSUM_LENGTH) === checksum;
}

/**
 * Check the trailing CRC32 checksum of a new-format token.
 *
 * - `ghp_`, `gho_`, `ghu_`, `ghr_` tokens with a 36-character body: the
 *   result is reliable (`false` means the token was mistyped or truncated).
 * - `github_pat_` tokens: the same computation over the part after the
 *   prefix; the scheme is not confirmed by GitHub for these, so the result
 *   is only advisory.
 * - anything else (including `ghs_` tokens, whose format is changing, old
 *   hexadecimal tokens, and malformed input): `undefined`.
 */
export function tokenChecksumValid(token: string): boolean | undefined {
  if (!TOKEN_CHARSET.test(token)) {
    return undefined;
  }
  const kind = tokenKindOf(token);
  if (FIXED_LENGTH_KINDS.has(kind)) {
    const body = token.slice(4);
    return body.length === FIXED_BODY_LENGTH ? checksumMatches(body) : undefined;
  }
  if (kind === 'fine-grained') {
    const body = token.slice('github_pat_'.length);
    return body.length > CHECKSUM_LENGTH ? checksumMatches(body) : undefined;
  }
  return undefined;
}

/** Machine-readable codes of format problems. */
export type TokenIssueCode =
  | 'empty'
  | 'inner-whitespace'
  | 'bad-characters'
  | 'too-long'
  | 'wrong-length'
  | 'unknown-prefix'
  | 'checksum-mismatch'
  | 'checksum-advisory'
  | 'not-a-pat';

/** One problem found in a token's format. */
export interface TokenIssue {
  code: TokenIssueCode;
  /** `error` blocks using the token; `warning` is shown but does not. */
  severity: 'error' | 'warning';
  /** Clear, actionable text; never contains the token. */
  message: string;
}

/** The outcome of {@link checkTokenFormat}. */
export interface TokenFormatCheck {
  /** The normalized token (surrounding whitespace removed). */
  token: string;
  kind: TokenKind;
  kindLabel: string;
  /** True when no issue has severity `error`. */
  ok: boolean;
  /**
   * `valid`: the checksum matches; `invalid`: a reliable checksum does not
   * match; `unverified`: a checksum could not be (reliably) checked;
   * `not-applicable`: this kind of token has no known checksum.
   */
  checksum: 'valid' | 'invalid' | 'unverified' | 'not-applicable';
  issues: TokenIssue[];
}

/**
 * Describe, without echoing them, the kinds of characters in `token` that
 * GitHub never uses in tokens (excluding whitespace, reported separately).
 */
function describeBadCharacters(token: string, trans: Trans): string[] {
  const found = new Set<string>();
  for (const char of token) {
    if (/[A-Za-z0-9_]/.test(char) || /\s/.test(char)) {
      continue;
    }
    if (/["'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb]/.test(char)) {
      found.add(trans.__('quotes'));
    } else if (/[\u0000-\u001f\u007f-\u009f]/.test(char)) {
      found.add(trans.__('invisible control characters'));
    } else if (/[\u200b-\u200d\u2060\ufeff]/.test(char)) {
      found.add(trans.__('invisible zero-width characters'));
    } else if (char.codePointAt(0)! > 0x7f) {
      found.add(trans.__('non-ASCII characters (for example look-alike letters)'));
    } else if (char === '-') {
      found.add(trans.__('hyphens'));
    } else {
      found.add(trans.__('punctuation or symbols'));
    }
  }
  return [...found];
}

/** Describe the kinds of whitespace inside `token`, without echoing it. */
function describeWhitespace(token: string, trans: Trans): string[] {
  const found = new Set<string>();
  for (const char of token) {
    if (char === ' ' || char === '\u00a0') {
      found.add(trans.__('spaces'));
    } else if (char === '\t') {
      found.add(trans.__('tabs'));
    } else if (char === '\n' || char === '\r') {
      found.add(trans.__('line breaks'));
    } else if (/\s/.test(char)) {
      found.add(trans.__('other whitespace'));
    }
  }
  return [...found];
}

/**
 * Check a pasted token offline: kind, characters, length and checksum.
 *
 * The returned messages are suitable for showing to the user; none of them
 * contains the token.
 */
export function checkTokenFormat(raw: string, trans: Trans = defaultTrans): TokenFormatCheck {
  const token = normalizeTokenInput(raw);
  const kind: TokenKind = token ? tokenKindOf(token) : 'unknown';
  const issues: TokenIssue[] = [];
  const error = (code: TokenIssueCode, message: string): void => {
    issues.push({ code, severity: 'error', message });
  };

  if (!token) {
    error('empty', trans.__('Paste a GitHub token to check it.'));
    return {
      token,
      kind,
      kindLabel: tokenKindLabel(kind, trans),
      ok: false,
      checksum: 'not-applicable',
      issues
    };
  }

  const whitespace = describeWhitespace(token, trans);
  if (whitespace.length) {
    error(
      'inner-whitespace',
      trans.__(
        'The token contains %1 inside it. GitHub tokens are a single word: copy the token again with the copy button on GitHub.',
        whitespace.join(', ')
      )
    );
  }
  const bad = describeBadCharacters(token, trans);
  if (bad.length) {
    error(
      'bad-characters',
      trans.__(
        'The token contains characters GitHub never uses in tokens: %1. Tokens only contain letters A-Z and a-z, digits and underscores; copy the token again from GitHub.',
        bad.join(', ')
      )
    );
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    error(
      'too-long',
      trans.__(
        'This is %1 characters long, but GitHub tokens have at most %2. Paste only the token.',
        token.length,
        MAX_TOKEN_LENGTH
      )
    );
  }

  if (kind === 'unknown') {
    const lower = token.toLowerCase();
    const wrongCase = PREFIXES.some(([prefix]) => lower.startsWith(prefix));
    error(
      'unknown-prefix',
      wrongCase
        ? trans.__(
            'The start of this token has the wrong letter case: GitHub tokens start with lowercase ghp_ (classic) or github_pat_ (fine-grained). Copy the token again from GitHub.'
          )
        : trans.__(
            'This does not look like a GitHub token. GitHub personal access tokens start with ghp_ (classic) or github_pat_ (fine-grained).'
          )
    );
  } else if (FIXED_LENGTH_KINDS.has(kind)) {
    const expected = 4 + FIXED_BODY_LENGTH;
    if (token.length !== expected) {
      error(
        'wrong-length',
        trans.__(
          '%1: GitHub makes these %2 characters long, but this one has %3. It looks mistyped or truncated; copy it again from GitHub.',
          tokenKindLabel(kind, trans),
          expected,
          token.length
        )
      );
    }
  } else if (kind === 'fine-grained' && token.length !== FINE_GRAINED_LENGTH) {
    error(
      'wrong-length',
      trans.__(
        '%1: GitHub makes these %2 characters long, but this one has %3. It looks mistyped or truncated; copy it again from GitHub.',
        tokenKindLabel(kind, trans),
        FINE_GRAINED_LENGTH,
        token.length
      )
    );
  }

  let checksum: TokenFormatCheck['checksum'] = 'not-applicable';
  const hasChecksum = FIXED_LENGTH_KINDS.has(kind) || kind === 'fine-grained';
  if (hasChecksum) {
    const valid = issues.length === 0 ? tokenChecksumValid(token) : undefined;
    if (valid === undefined) {
      checksum = 'unverified';
    } else if (valid) {
      checksum = 'valid';
    } else if (kind === 'fine-grained') {
      checksum = 'unverified';
      issues.push({
        code: 'checksum-advisory',
        severity: 'warning',
        message: trans.__(
          'The last characters of this fine-grained token do not match the checksum classic tokens use. This may be fine (GitHub does not document it for fine-grained tokens); if GitHub rejects the token, copy it again.'
        )
      });
    } else {
      checksum = 'invalid';
      error(
        'checksum-mismatch',
        trans.__(
          'The checksum at the end of this token does not match: this looks mistyped or truncated; copy it again from GitHub.'
        )
      );
    }
  }

  // Kinds that cannot stand in for a personal access token. Listed first:
  // even a perfectly copied token of these kinds will not work here. Added
  // after the checksum check, which only runs when there is no other issue.
  const kindIssue = notAPersonalTokenIssue(kind, trans);
  if (kindIssue) {
    issues.unshift(kindIssue);
  }

  return {
    token,
    kind,
    kindLabel: tokenKindLabel(kind, trans),
    ok: !issues.some(issue => issue.severity === 'error'),
    checksum,
    issues
  };
}

/**
 * The `not-a-pat` issue for token kinds that cannot be used as a personal
 * access token, if `kind` is one:
 *
 * - `ghr_` refresh tokens are an error: they only obtain new user access
 *   tokens from GitHub's OAuth endpoint and cannot call the API at all.
 * - `ghs_` app installation tokens are a warning: they do call the API, but
 *   act as an app installation, not as a user, so `GET /user` is refused.
 *
 * `gho_` tokens (such as the output of `gh auth token`) and `ghu_` user
 * access tokens act as the user and are fine.
 */
function notAPersonalTokenIssue(kind: TokenKind, trans: Trans): TokenIssue | undefined {
  if (kind === 'refresh') {
    return {
      code: 'not-a-pat',
      severity: 'error',
      message: trans.__(
        'This is a refresh token (it starts with ghr_): it cannot call the API. Create a personal access token on GitHub and paste that instead.'
      )
    };
  }
  if (kind === 'server-to-server') {
    return {
      code: 'not-a-pat',
      severity: 'warning',
      message: trans.__(
        'This is a GitHub App installation token (it starts with ghs_): an app installation token cannot identify a user, so GET /user will be refused and the token cannot be verified here. Use a personal access token.'
      )
    };
  }
  return undefined;
}

/** What {@link maskToken} shows when no character may be revealed. */
export const FULLY_MASKED = '••••';

/**
 * Mask a token for display: the known prefix, `...` and the last 4
 * characters (e.g. `ghp_...abcd`). Old hexadecimal tokens show `••••...` and
 * their last 4 characters. Short (< 12 characters), unrecognized or malformed
 * input reveals nothing.
 */
export function maskToken(token: string): string {
  const normalized = normalizeTokenInput(token);
  if (normalized.length < 12 || !TOKEN_CHARSET.test(normalized)) {
    return FULLY_MASKED;
  }
  const kind = tokenKindOf(normalized);
  const tail = normalized.slice(-4);
  if (kind === 'legacy') {
    return `${FULLY_MASKED}...${tail}`;
  }
  const prefix = tokenPrefixOf(normalized);
  if (prefix === undefined || normalized.length < prefix.length + 8) {
    return FULLY_MASKED;
  }
  return `${prefix}...${tail}`;
}

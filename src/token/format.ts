/**
 * Offline checks of a GitHub token's format: kind (from its prefix), length,
 * character set and the CRC32 checksum that new-format tokens end with.
 *
 * Nothing here talks to GitHub, and no message ever contains the token or any
 * part of it beyond what `maskToken` (mask.ts) reveals. The rules are the
 * policy's (src/policy/policy.json).
 */

import type { Trans } from '../i18n';
import { TOKEN_POLICY, TokenKind, wholeMatch } from '../policy/policy';
import { bodyChecksumValid } from './checksum';

/** Token prefixes and the kind each one denotes, longest first (so `github_pat_` wins). */
const PREFIXES = [...TOKEN_POLICY.prefixes].sort((a, b) => b.prefix.length - a.prefix.length);

/** Kinds whose tokens are exactly prefix + the fixed body length, with a checksum. */
const FIXED_LENGTH_KINDS: ReadonlySet<TokenKind> = new Set(TOKEN_POLICY.fixedLength.kinds);

const { bodyLength: FIXED_BODY_LENGTH, checksumLength: CHECKSUM_LENGTH } = TOKEN_POLICY.fixedLength;

/** A fine-grained token: its prefix, and its total length (prefix + first part + `_` + second part). */
const FINE_GRAINED = TOKEN_POLICY.fineGrained;
const FINE_GRAINED_LENGTH = FINE_GRAINED.prefix.length + FINE_GRAINED.firstPart + 1 + FINE_GRAINED.secondPart;

/** Longest token GitHub says integrators must accept. */
const MAX_TOKEN_LENGTH = TOKEN_POLICY.maxLength;

/** Every character GitHub uses in tokens: one of them, and a text of only them. */
const TOKEN_CHARACTER = new RegExp(TOKEN_POLICY.charset);
export const TOKEN_CHARACTERS_ONLY = wholeMatch(`${TOKEN_POLICY.charset}*`);

/** Old (pre-2021) tokens: lowercase hexadecimal of a fixed length. */
const LEGACY_TOKEN = wholeMatch(TOKEN_POLICY.legacy);

/**
 * Return the prefix of `token` if it starts with a known GitHub token prefix.
 */
export function tokenPrefixOf(token: string): string | undefined {
  return PREFIXES.find(rule => token.startsWith(rule.prefix))?.prefix;
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
  const rule = PREFIXES.find(({ prefix }) => normalized.startsWith(prefix));
  if (rule) {
    return rule.kind;
  }
  return LEGACY_TOKEN.test(normalized) ? 'legacy' : 'unknown';
}

/** A human-readable name for a token kind. */
export function tokenKindLabel(kind: TokenKind, trans: Trans): string {
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
  if (!TOKEN_CHARACTERS_ONLY.test(token)) {
    return undefined;
  }
  const kind = tokenKindOf(token);
  const body = token.slice(tokenPrefixOf(token)?.length ?? 0);
  if (FIXED_LENGTH_KINDS.has(kind)) {
    return body.length === FIXED_BODY_LENGTH ? bodyChecksumValid(body) : undefined;
  }
  if (kind === 'fine-grained') {
    return body.length > CHECKSUM_LENGTH ? bodyChecksumValid(body) : undefined;
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
export interface ITokenIssue {
  code: TokenIssueCode;
  /** `error` blocks using the token; `warning` is shown but does not. */
  severity: 'error' | 'warning';
  /** Clear, actionable text; never contains the token. */
  message: string;
}

/** The outcome of {@link checkTokenFormat}. */
export interface ITokenFormatCheck {
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
  issues: ITokenIssue[];
}

/**
 * Describe, without echoing them, the kinds of characters in `token` that
 * GitHub never uses in tokens (excluding whitespace, reported separately).
 */
function describeBadCharacters(token: string, trans: Trans): string[] {
  const found = new Set<string>();
  for (const char of token) {
    if (TOKEN_CHARACTER.test(char) || /\s/.test(char)) {
      continue;
    }
    if (/["'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb]/.test(char)) {
      found.add(trans.__('quotes'));
      // eslint-disable-next-line no-control-regex -- naming the control characters a paste carried is the point
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
export function checkTokenFormat(raw: string, trans: Trans): ITokenFormatCheck {
  const token = normalizeTokenInput(raw);
  const kind: TokenKind = token ? tokenKindOf(token) : 'unknown';
  const issues: ITokenIssue[] = [];
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
    const wrongCase = PREFIXES.some(({ prefix }) => lower.startsWith(prefix));
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
    const expected = (tokenPrefixOf(token)?.length ?? 0) + FIXED_BODY_LENGTH;
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

  let checksum: ITokenFormatCheck['checksum'] = 'not-applicable';
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
function notAPersonalTokenIssue(kind: TokenKind, trans: Trans): ITokenIssue | undefined {
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

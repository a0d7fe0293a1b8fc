/**
 * Making what a server sends safe to show: text loses anything that looks
 * like a secret, its control characters and its excess length; a link is only
 * followed when it is http(s).
 *
 * The secret patterns are built from the token policy (TOKEN_POLICY), so a
 * new token prefix is redacted here as soon as the policy knows it.
 */
import { TOKEN_POLICY, TOKEN_PREFIX_PATTERN } from '../policy/policy';

/**
 * New-format tokens: a policy prefix and token characters, also right after
 * an underscore (as in `token_ghp_...`) but not inside a longer word.
 */
const PREFIXED_TOKEN = new RegExp(`(?<![A-Za-z0-9])(?:${TOKEN_PREFIX_PATTERN})${TOKEN_POLICY.charset}+`, 'g');

/**
 * Old tokens, whatever their case, and the whole run when one is glued to
 * more characters of the same kind: after a legacy token, the match grows one
 * character at a time while the last ones still read as a legacy token. (For
 * 40 hexadecimal digits that is any run of 40 or more, so commit SHAs are
 * redacted as well, which is harmless in an error message.)
 */
const LEGACY_RUN = new RegExp(`(?:${TOKEN_POLICY.legacy})(?:[\\s\\S](?<=${TOKEN_POLICY.legacy}))*`, 'gi');

/** `text` with every secret it may hold replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  // Prefixed tokens first, so that one holding hexadecimal digits goes as a whole.
  return text.replace(PREFIXED_TOKEN, '[redacted]').replace(LEGACY_RUN, '[redacted]');
}

/** Make a string from a server safe and short enough to show. */
export function sanitizeText(text: string, maxLength = 300): string {
  const clean = redactSecrets(text)
    // eslint-disable-next-line no-control-regex -- control characters from a server are what is removed
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}

/** Whether `value` is an absolute http(s) URL, the only links shown. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * How a token is shown to the user, by the policy's mask rule (MASK_POLICY):
 * the known prefix, the separator and the last few characters
 * (`ghp_...abcd`). The server's `mask_token` (jupyterlab_github_token/
 * token_store.py) applies the same rule; test/corpus/mask-cases.json holds
 * both to it.
 */
import { MASK_POLICY } from '../policy/policy';
import { normalizeTokenInput, TOKEN_CHARACTERS_ONLY, tokenKindOf, tokenPrefixOf } from './format';

/**
 * `token` masked for display. Old hexadecimal tokens show the hidden glyphs
 * in place of a prefix; short, unrecognized or malformed input reveals
 * nothing (the hidden glyphs alone). Surrounding whitespace is ignored.
 */
export function maskToken(token: string): string {
  const normalized = normalizeTokenInput(token);
  if (normalized.length < MASK_POLICY.minLength || !TOKEN_CHARACTERS_ONLY.test(normalized)) {
    return MASK_POLICY.hidden;
  }
  const tail = normalized.slice(-MASK_POLICY.tail);
  if (tokenKindOf(normalized) === 'legacy') {
    return `${MASK_POLICY.hidden}${MASK_POLICY.separator}${tail}`;
  }
  const prefix = tokenPrefixOf(normalized);
  if (prefix === undefined || normalized.length < prefix.length + MASK_POLICY.minBody) {
    return MASK_POLICY.hidden;
  }
  return `${prefix}${MASK_POLICY.separator}${tail}`;
}

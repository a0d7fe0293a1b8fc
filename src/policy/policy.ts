/**
 * The one policy for tokens, variable names, widget model ids and API base
 * URLs (policy.json), typed for TypeScript. Python reads the same file
 * (jupyterlab_github_token/policy.py); no rule is written twice.
 */
import policy from './policy.json';

export type TokenKind =
  'classic' | 'fine-grained' | 'oauth' | 'user-to-server' | 'server-to-server' | 'refresh' | 'legacy' | 'unknown';

export interface IPrefixRule {
  readonly prefix: string;
  readonly kind: TokenKind;
}

export const TOKEN_POLICY = policy.token as Omit<typeof policy.token, 'prefixes' | 'fixedLength'> & {
  readonly prefixes: readonly IPrefixRule[];
  readonly fixedLength: {
    readonly kinds: readonly TokenKind[];
    readonly bodyLength: number;
    readonly checksumLength: number;
    readonly checksumAlphabet: string;
  };
};
export const MASK_POLICY = policy.mask;
export const ENV_NAME_POLICY = policy.envName;
export const WIDGET_MODEL_ID_POLICY = policy.widgetModelId;
export const API_BASE_URL_POLICY = policy.apiBaseUrl;
/**
 * What GitHub sends: the login pattern (display metadata) and the
 * `GitHub-Authentication-Token-Expiration` value, whose capture groups are
 * year, month, day, hour, minute, optional second and zone.
 */
export const GITHUB_POLICY: { readonly login: string; readonly expirationHeader: string } = policy.github;

/** The token prefixes, in the policy's order. */
export const TOKEN_PREFIXES: readonly string[] = TOKEN_POLICY.prefixes.map(rule => rule.prefix);

/** A RegExp source matching any token prefix, literally (an alternation: group it). */
export const TOKEN_PREFIX_PATTERN = TOKEN_PREFIXES.map(prefix => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(
  '|'
);

/** A RegExp matching the whole string against a policy pattern. */
export function wholeMatch(pattern: string, flags = ''): RegExp {
  return new RegExp(`^(?:${pattern})$`, flags);
}

/**
 * URLs of GitHub's token pages, including the pre-filled "new token" forms,
 * for github.com and GitHub Enterprise (any http(s) web base URL).
 */

import type { AccessLevel } from './scopes';

/** Which kind of personal access token a page is about. */
export type TokenType = 'classic' | 'fine-grained';

/** Longest name GitHub accepts for a fine-grained token. */
export const FINE_GRAINED_NAME_MAX = 40;

/** Bounds of a fine-grained token's lifetime, in days. */
export const FINE_GRAINED_EXPIRY_MIN_DAYS = 1;
export const FINE_GRAINED_EXPIRY_MAX_DAYS = 366;

/** Options of the classic token creation page. */
export interface IClassicTokenOptions {
  /** Scopes to tick, e.g. `['repo']`. */
  scopes: string[];
  /** The token's note ("description" in the URL). */
  description: string;
}

/** Options of the fine-grained token creation page. */
export interface IFineGrainedTokenOptions {
  /** Token name (truncated to 40 characters). */
  name: string;
  description: string;
  /** Lifetime in days (clamped to 1..366), or `'none'` for no expiry. */
  expiresInDays: number | 'none';
  /** Repository contents permission. */
  contents: 'read' | 'write';
  /** Resource owner (user or organization) to preselect. */
  targetName?: string;
}

/** Options of {@link newTokenUrl}. */
export interface INewTokenOptions {
  tokenType: TokenType;
  access: AccessLevel;
  name: string;
  description: string;
  expiresInDays: number | 'none';
  targetName?: string;
}

/**
 * Validate a web base URL (e.g. `https://github.com` or a GitHub Enterprise
 * host) and return it without trailing slashes, query or fragment: the one
 * normalisation of the web host (the API host has the policy's,
 * normalizeApiBaseUrl). Unlike the API base URL it never receives the token,
 * so http to any host is allowed.
 *
 * @throws Error when the URL is not a valid http(s) URL.
 */
export function normalizeWebBaseUrl(webBaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(webBaseUrl.trim());
  } catch {
    throw new Error(`Invalid GitHub web URL: ${JSON.stringify(webBaseUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`The GitHub web URL must start with https:// or http://, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new Error('The GitHub web URL must not contain credentials');
  }
  let path = url.pathname;
  while (path.endsWith('/')) {
    path = path.slice(0, -1);
  }
  return `${url.origin}${path}`;
}

/**
 * A query parameter: a value, or a list of values joined with literal commas
 * (each value URL-encoded).
 */
type QueryParam = readonly [string, string | readonly string[]];

/** Build `base + path + ?query` with every key and value URL-encoded. */
function buildUrl(webBaseUrl: string, path: string, params: readonly QueryParam[]): string {
  const base = normalizeWebBaseUrl(webBaseUrl);
  const query = params
    .map(([key, value]) => {
      const encoded = typeof value === 'string' ? encodeURIComponent(value) : value.map(encodeURIComponent).join(',');
      return `${encodeURIComponent(key)}=${encoded}`;
    })
    .join('&');
  return query ? `${base}${path}?${query}` : `${base}${path}`;
}

/**
 * The pre-filled creation page of a classic token, e.g.
 * `https://github.com/settings/tokens/new?scopes=repo&description=Jupyter`.
 * Scopes are comma-separated; an empty scope list leaves `scopes` out.
 */
export function classicTokenUrl(webBaseUrl: string, options: IClassicTokenOptions): string {
  const params: QueryParam[] = [];
  if (options.scopes.length) {
    params.push(['scopes', options.scopes]);
  }
  params.push(['description', options.description]);
  return buildUrl(webBaseUrl, '/settings/tokens/new', params);
}

/** Clamp a lifetime to GitHub's accepted range, or pass `'none'` through. */
export function clampExpiry(expiresInDays: number | 'none'): string {
  if (expiresInDays === 'none') {
    return 'none';
  }
  if (Number.isNaN(expiresInDays)) {
    throw new RangeError('expiresInDays must be a number of days or "none"');
  }
  const days = Math.floor(expiresInDays);
  return String(Math.min(FINE_GRAINED_EXPIRY_MAX_DAYS, Math.max(FINE_GRAINED_EXPIRY_MIN_DAYS, days)));
}

/**
 * The pre-filled creation page of a fine-grained token, e.g.
 * `https://github.com/settings/personal-access-tokens/new?name=Jupyter&description=...&target_name=octo-org&expires_in=30&contents=read`.
 */
export function fineGrainedTokenUrl(webBaseUrl: string, options: IFineGrainedTokenOptions): string {
  // Truncate by code points so that a surrogate pair is never split.
  const name = Array.from(options.name).slice(0, FINE_GRAINED_NAME_MAX).join('');
  const params: QueryParam[] = [
    ['name', name],
    ['description', options.description]
  ];
  const target = options.targetName?.trim();
  if (target) {
    params.push(['target_name', target]);
  }
  params.push(['expires_in', clampExpiry(options.expiresInDays)]);
  params.push(['contents', options.contents]);
  return buildUrl(webBaseUrl, '/settings/personal-access-tokens/new', params);
}

/**
 * The pre-filled creation page for the token type and access level chosen:
 * classic tokens get `repo` (read-write), `public_repo` (read-write-public)
 * or no scope (read-only); fine-grained tokens get Contents `read`
 * (read-only) or `write`.
 */
export function newTokenUrl(webBaseUrl: string, options: INewTokenOptions): string {
  if (options.tokenType === 'classic') {
    const scopes =
      options.access === 'read-write' ? ['repo'] : options.access === 'read-write-public' ? ['public_repo'] : [];
    return classicTokenUrl(webBaseUrl, {
      scopes,
      description: options.description || options.name
    });
  }
  return fineGrainedTokenUrl(webBaseUrl, {
    name: options.name,
    description: options.description,
    expiresInDays: options.expiresInDays,
    contents: options.access === 'read-only' ? 'read' : 'write',
    targetName: options.targetName
  });
}

/** The page listing the user's tokens of the given type. */
export function tokenSettingsUrl(webBaseUrl: string, tokenType: TokenType): string {
  return buildUrl(webBaseUrl, tokenType === 'classic' ? '/settings/tokens' : '/settings/personal-access-tokens', []);
}

/**
 * Whether a GitHub API base URL may carry a token: only https, or http to
 * this machine (loopback, e.g. a local test server), ever does. The rule and
 * the normalisation are the policy's (API_BASE_URL_POLICY), the same ones the
 * server applies (jupyterlab_github_token/environment.py), so the page never
 * believes the server refuses a URL it accepts; test/corpus/url-cases.json
 * proves both agree.
 */
import type { Trans } from '../i18n';
import { API_BASE_URL_POLICY } from '../policy/policy';

const IPV4 = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-f]{1,4}$/;
const REFUSED_CHARACTERS = new RegExp(API_BASE_URL_POLICY.refusedCharacters);

/**
 * The host as written in a URL (after `//` and any credentials, before the
 * port or path). Loopback is judged on it, not on the URL parser's reading,
 * which turns shorthand such as `127.1` into `127.0.0.1` where the server's
 * parser (urllib) does not.
 */
const WRITTEN_HOST = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)/i;

/** The 8 groups of an IPv6 address (`::1` -> 0,0,0,0,0,0,0,1), or null. */
function ipv6Groups(host: string): number[] | null {
  const halves = host.split('::');
  if (halves.length > 2) {
    return null;
  }
  const parse = (part: string): number[] | null => {
    if (part === '') {
      return [];
    }
    const groups = part.split(':');
    return groups.every(g => IPV6_GROUP.test(g)) ? groups.map(g => parseInt(g, 16)) : null;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) {
    return null;
  }
  if (halves.length === 1) {
    return head.length === 8 ? head : null;
  }
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}

/**
 * Whether `host` is this machine: a name in the policy's loopbackNames, any
 * IPv4 address in 127.0.0.0/8, or ::1 (bracketed or not), case-insensitively.
 */
export function isLoopbackHost(host: string): boolean {
  let name = host.toLowerCase();
  if (API_BASE_URL_POLICY.loopbackNames.includes(name)) {
    return true;
  }
  const ipv4 = IPV4.exec(name);
  if (ipv4) {
    const octets = ipv4.slice(1).map(Number);
    return octets.every(o => o <= 255) && octets[0] === 127;
  }
  if (name.startsWith('[') && name.endsWith(']')) {
    name = name.slice(1, -1);
  }
  const groups = ipv6Groups(name);
  return groups !== null && groups.slice(0, 7).every(g => g === 0) && groups[7] === 1;
}

/**
 * `url` as the server stores it (`scheme://host[:port][/path]`: scheme and
 * host lower-cased, default port and trailing slashes dropped), or null when
 * the token may not go there: not http(s), credentials, a query or a
 * fragment, http to a host that is not loopback, or longer than maxLength.
 */
export function normalizeApiBaseUrl(url: string): string | null {
  if (!url || url.length > API_BASE_URL_POLICY.maxLength) {
    return null;
  }
  const trimmed = url.trim();
  if (REFUSED_CHARACTERS.test(trimmed)) {
    return null;
  }
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (!API_BASE_URL_POLICY.schemes.includes(scheme) || !parsed.hostname) {
    return null;
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    return null;
  }
  // Plain http only when the browser's reading of the host and the written one (what urllib reads) are both loopback.
  if (
    scheme !== 'https' &&
    !(isLoopbackHost(parsed.hostname) && isLoopbackHost(WRITTEN_HOST.exec(trimmed)?.[1] ?? ''))
  ) {
    return null;
  }
  // URL already lower-cases the scheme and host and drops a default port.
  return `${scheme}://${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** The host of `url` (`api.github.com`), or `fallback` when `url` is not a URL. */
export function urlHost(url: string, fallback = url): string {
  try {
    return new URL(url).host;
  } catch {
    return fallback;
  }
}

/** Why the token may not be sent to `apiBaseUrl`, or '' when it may. */
export function apiBaseUrlProblem(apiBaseUrl: string, trans: Trans): string {
  let url: URL;
  try {
    if (apiBaseUrl.length > API_BASE_URL_POLICY.maxLength) {
      throw new RangeError('longer than the policy allows');
    }
    url = new URL(apiBaseUrl);
  } catch {
    return trans.__(
      'The GitHub API base URL setting "%1" is not a URL. Fix it in Settings → GitHub token.',
      apiBaseUrl
    );
  }
  if (normalizeApiBaseUrl(apiBaseUrl) !== null) {
    return '';
  }
  if (url.username || url.password || url.search || url.hash) {
    // Quote the origin only: the refused parts may hold a password.
    return trans.__(
      'The GitHub API base URL setting for %1 must not contain credentials, a query or a fragment. Fix it in Settings → GitHub token.',
      url.origin
    );
  }
  return trans.__(
    'The GitHub API base URL %1 is not https: the token would travel unencrypted. Use an https URL in Settings → GitHub token.',
    url.origin
  );
}

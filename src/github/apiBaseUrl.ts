/**
 * Whether a GitHub API base URL may carry a token: only https, or http to
 * this machine (loopback, e.g. a local test server), ever does.
 */
import type { Trans } from '../i18n';
import { defaultTrans } from '../i18n';

/** The host of `url` (`api.github.com`), or `fallback` when `url` is not a URL. */
export function urlHost(url: string, fallback = url): string {
  try {
    return new URL(url).host;
  } catch {
    return fallback;
  }
}

/** Why the token may not be sent to `apiBaseUrl`, or '' when it may. */
export function apiBaseUrlProblem(apiBaseUrl: string, trans: Trans = defaultTrans): string {
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    return trans.__(
      'The GitHub API base URL setting "%1" is not a URL. Fix it in Settings → GitHub token.',
      apiBaseUrl
    );
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) {
    return '';
  }
  return trans.__(
    'The GitHub API base URL %1 is not https: the token would travel unencrypted. Use an https URL in Settings → GitHub token.',
    url.origin
  );
}

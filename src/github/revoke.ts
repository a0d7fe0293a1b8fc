/**
 * Revoking leaked tokens: `POST /credentials/revoke` with the tokens in the
 * body and no Authorization header, as GitHub requires. GitHub answers 202
 * whether or not the tokens were valid, and disables valid ones at once.
 */
import type { Trans } from '../i18n';
import { apiBaseUrlProblem, normalizeApiBaseUrl } from './apiBaseUrl';

/** The outcome, phrased for the user; never contains a token. */
export interface IRevokeResult {
  ok: boolean;
  message: string;
}

/** Ask the GitHub API at `apiBaseUrl` to revoke `tokens` (at most 1000). */
export async function revokeTokens(
  apiBaseUrl: string,
  tokens: readonly string[],
  options: { timeoutMs?: number; fetch?: typeof fetch; trans: Trans }
): Promise<IRevokeResult> {
  const trans = options.trans;
  // The policy's normalisation, as the server's: null where no token may go.
  const base = normalizeApiBaseUrl(apiBaseUrl);
  if (base === null) {
    return { ok: false, message: apiBaseUrlProblem(apiBaseUrl, trans) };
  }
  const unique = [...new Set(tokens)].slice(0, 1000);
  if (!unique.length) {
    return { ok: false, message: trans.__('There is no token to revoke.') };
  }
  const url = `${base}/credentials/revoke`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 15000);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        Accept: 'application/vnd.github+json',
        'Content-Type': 'application/json',
        'X-GitHub-Api-Version': '2022-11-28'
      },
      body: JSON.stringify({ credentials: unique }),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: controller.signal
    });
  } catch {
    return {
      ok: false,
      message: trans.__(
        'Could not reach %1 to revoke the token. Check your connection, or revoke it yourself on GitHub (Settings → Developer settings → Personal access tokens → Delete).',
        new URL(url).host
      )
    };
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 202 || response.status === 200) {
    return {
      ok: true,
      message: trans._n(
        'GitHub accepted the request to revoke the token: if it was valid, it no longer works. Create a new one for what needs it.',
        'GitHub accepted the request to revoke %1 tokens: those that were valid no longer work. Create new ones for what needs them.',
        unique.length
      )
    };
  }
  let detail = '';
  try {
    detail = String(((await response.json()) as { message?: unknown }).message ?? '').split('\n')[0];
  } catch {
    // No JSON body.
  }
  const remaining = response.headers.get('x-ratelimit-remaining');
  if (response.status === 429 || (response.status === 403 && remaining === '0')) {
    return {
      ok: false,
      message: trans.__(
        'GitHub is rate limiting revocation requests from this address. Try again later, or revoke the token yourself on GitHub.'
      )
    };
  }
  return {
    ok: false,
    message: trans.__(
      'GitHub refused the revocation (%1%2). Revoke the token yourself on GitHub: Settings → Developer settings → Personal access tokens.',
      response.status,
      detail ? `: ${detail}` : ''
    )
  };
}

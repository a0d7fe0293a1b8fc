/**
 * A failed GitHub API call explained for the user: what went wrong, why, and
 * the next step (with a link when one helps). Pure: no fetch, no DOM, and
 * nothing a server sent is shown before it is sanitised.
 */
import type { Trans } from '../i18n';
import type { TokenKind } from '../policy/policy';
import type { ApiOutcome, INormalizedResponse } from './apiOutcome';
import { bodyMessage } from './body';
import { headerValue, parseCount, parseRateLimit, parseSsoHeader, retryAfterMs } from './headers';
import { sanitizeText } from './redaction';
import { tokenSettingsUrl } from './tokenPages';

/** Codes of the problems the panel can show. */
export type ProblemCode =
  | 'malformed'
  | 'bad-credentials'
  | 'rate-limited'
  | 'sso-required'
  | 'forbidden'
  | 'repo-not-found'
  | 'timeout'
  | 'unreachable'
  | 'server-error'
  | 'unexpected';

/** A problem explained for the user. */
export interface IProblem {
  code: ProblemCode;
  title: string;
  message: string;
  /** What the user should do next. */
  nextStep: string;
  link?: { href: string; label: string };
  /** For rate limits: when a retry may succeed. */
  resetAt?: Date;
}

/** What {@link problemFromOutcome} needs to know about the call. */
export interface IProblemContext {
  apiBaseUrl: string;
  webBaseUrl: string;
  /** Which call: `GET /user` or `GET /repos/{owner}/{repo}`. */
  what: 'user' | 'repo';
  repoFullName?: string;
  /** The kind of token used, to tailor advice (optional). */
  tokenKind?: TokenKind;
  /** The current time (for `retry-after`); defaults to now. */
  now?: Date;
}

/**
 * The token settings page for a token kind (or for `type` when given), if the
 * URL is usable.
 */
function settingsLink(
  context: IProblemContext,
  trans: Trans,
  type: 'fine-grained' | 'classic' = context.tokenKind === 'fine-grained' ? 'fine-grained' : 'classic'
): IProblem['link'] | undefined {
  try {
    return {
      href: tokenSettingsUrl(context.webBaseUrl, type),
      label: trans.__('Open your token settings on GitHub')
    };
  } catch {
    return undefined;
  }
}

/** Format a time for messages, in the user's local time zone. */
export function formatLocalTime(date: Date): string {
  return date.toLocaleTimeString();
}

/** Whether the API base URL is github.com's. */
function isGithubDotCom(apiBaseUrl: string): boolean {
  try {
    return new URL(apiBaseUrl).hostname === 'api.github.com';
  } catch {
    return false;
  }
}

/** Problems for 403 and 429 responses. */
function forbiddenProblem(response: INormalizedResponse, context: IProblemContext, trans: Trans): IProblem {
  const headers = response.headers;
  const now = context.now ?? new Date();
  const message = bodyMessage(response.data);
  const rate = parseRateLimit(headers);
  const remaining = parseCount(headerValue(headers, 'x-ratelimit-remaining'));

  if (remaining === 0) {
    const resetAt = rate?.resetAt;
    return {
      code: 'rate-limited',
      title: trans.__('GitHub rate limit reached'),
      message: resetAt
        ? trans.__(
            'This token has used all %1 GitHub API requests allowed per hour. The limit resets at %2.',
            rate?.limit ?? '?',
            formatLocalTime(resetAt)
          )
        : trans.__('This token has used all GitHub API requests allowed for now.'),
      nextStep: trans.__('Wait until the limit resets, then verify again.'),
      resetAt
    };
  }

  const retryMs = retryAfterMs(headerValue(headers, 'retry-after'), now);
  const secondary = message !== undefined && /rate limit/i.test(message);
  if (retryMs !== undefined || secondary || response.status === 429) {
    // GitHub asks to wait at least a minute when it gives no retry-after.
    const resetAt = new Date(now.getTime() + (retryMs ?? 60000));
    return {
      code: 'rate-limited',
      title: trans.__('GitHub asked to slow down'),
      message: trans.__(
        'GitHub temporarily limits requests from this token (secondary rate limit). Try again after %1.',
        formatLocalTime(resetAt)
      ),
      nextStep: trans.__('Wait a moment, then verify again.'),
      resetAt
    };
  }

  const ssoHeader = headerValue(headers, 'x-github-sso');
  if (ssoHeader !== undefined && response.status === 403) {
    const ssoUrl = parseSsoHeader(ssoHeader);
    return {
      code: 'sso-required',
      title: trans.__('Single sign-on authorization needed'),
      message: trans.__(
        'The token is valid, but it is not authorized for the SAML single sign-on of the organization that owns this resource.'
      ),
      nextStep: ssoUrl
        ? trans.__('Open the link, authorize the token for the organization, then verify again.')
        : trans.__(
            'In your token settings on GitHub, use "Configure SSO" to authorize the token for the organization, then verify again.'
          ),
      link: ssoUrl
        ? { href: ssoUrl, label: trans.__('Authorize the token for single sign-on') }
        : settingsLink(context, trans)
    };
  }

  const policy = response.status === 403 && message !== undefined ? organizationPolicyOf(message) : undefined;
  if (policy !== undefined) {
    return organizationPolicyProblem(policy, message as string, context, trans);
  }

  const parts = [
    message
      ? trans.__('GitHub refused the request: "%1".', message)
      : trans.__('GitHub refused the request (HTTP %1).', response.status)
  ];
  const scopes = headerValue(headers, 'x-accepted-oauth-scopes')?.trim();
  if (scopes) {
    parts.push(trans.__('Scopes that allow it: %1.', sanitizeText(scopes)));
  }
  const permissions = headerValue(headers, 'x-accepted-github-permissions')?.trim();
  if (permissions) {
    parts.push(trans.__('Fine-grained permissions that allow it: %1.', sanitizeText(permissions)));
  }
  return {
    code: 'forbidden',
    title: trans.__('GitHub refused access'),
    message: parts.join(' '),
    nextStep: trans.__('Give the token the scopes or permissions it needs (or create a new token), then verify again.'),
    link: settingsLink(context, trans)
  };
}

/** Organization policies on personal access tokens that GitHub enforces. */
type OrganizationPolicy = 'no-classic' | 'lifetime' | 'pending-approval';

/**
 * Which organization token policy a 403 message is about, if any. Examples of
 * GitHub's messages:
 *
 * - "`ORG` forbids access via a personal access token (classic). Please use a
 *   GitHub App, OAuth App, or a personal access token with fine-grained
 *   permissions."
 * - "The 'ORG' organization forbids access via a fine-grained personal access
 *   tokens if the token's lifetime is greater than 90 days. ..."
 * - a request that is still pending an organization owner's approval.
 */
function organizationPolicyOf(message: string): OrganizationPolicy | undefined {
  const text = message.toLowerCase();
  if (/\blifetime\b/.test(text)) {
    return 'lifetime';
  }
  if (/\bpending\b|\bapprov(?:al|e|ed)\b/.test(text)) {
    return 'pending-approval';
  }
  const classic = /\(classic\)|classic (?:personal access )?tokens?/.test(text);
  const refused = /forbid|forbidden|not allowed|not permitted|disallow|restrict|block/.test(text);
  const requiresFineGrained = /fine-grained/.test(text) && /\b(?:require|requires|required|must|only|use)\b/.test(text);
  if ((classic && (refused || requiresFineGrained)) || (refused && requiresFineGrained)) {
    return 'no-classic';
  }
  return undefined;
}

/**
 * A 403 caused by an organization's token policy. Adding scopes would not
 * help, so the next step is about the policy instead.
 */
function organizationPolicyProblem(
  policy: OrganizationPolicy,
  message: string,
  context: IProblemContext,
  trans: Trans
): IProblem {
  const refused = trans.__('GitHub refused the request: "%1".', message);
  switch (policy) {
    case 'no-classic':
      return {
        code: 'forbidden',
        title: trans.__('The organization does not accept classic tokens'),
        message: refused,
        nextStep: trans.__(
          "The organization's policy forbids personal access tokens (classic); more scopes would not help. Create a fine-grained personal access token with the organization as its resource owner, then verify again."
        ),
        link: settingsLink(context, trans, 'fine-grained')
      };
    case 'lifetime':
      return {
        code: 'forbidden',
        title: trans.__('The token lives too long for the organization'),
        message: refused,
        nextStep: trans.__(
          "The organization's policy limits how long a token may be valid; more scopes or permissions would not help. Create a new token (or regenerate this one) with a shorter expiration, within the limit GitHub names, then verify again."
        ),
        link: settingsLink(context, trans)
      };
    case 'pending-approval':
      return {
        code: 'forbidden',
        title: trans.__('The token is waiting for approval'),
        message: refused,
        nextStep: trans.__(
          "The organization's policy requires an owner of the organization to approve fine-grained tokens; more permissions would not help. Wait for an owner's approval (or ask an owner to review the request), then verify again."
        ),
        link: settingsLink(context, trans, 'fine-grained')
      };
  }
}

/**
 * Explain an API outcome for the user.
 *
 * @returns `undefined` for 2xx responses, otherwise the problem.
 */
export function problemFromOutcome(outcome: ApiOutcome, context: IProblemContext, trans: Trans): IProblem | undefined {
  if (outcome.kind === 'network') {
    const detail = outcome.detail ? sanitizeText(outcome.detail, 200) : '';
    if (outcome.problem === 'timeout') {
      return {
        code: 'timeout',
        title: trans.__('GitHub did not answer in time'),
        message: detail
          ? trans.__('The request to %1 timed out (%2).', context.apiBaseUrl, detail)
          : trans.__('The request to %1 timed out.', context.apiBaseUrl),
        nextStep: trans.__('Check your network connection, then try again.')
      };
    }
    // Browsers report a refused cross-origin request exactly like a network
    // failure ("Failed to fetch"), so both are explained.
    return {
      code: 'unreachable',
      title: trans.__('Cannot reach the GitHub API'),
      message:
        (detail
          ? trans.__('The GitHub API at %1 could not be reached (%2).', context.apiBaseUrl, detail)
          : trans.__('The GitHub API at %1 could not be reached.', context.apiBaseUrl)) +
        ' ' +
        trans.__(
          'The browser reports the same error when the API refuses cross-origin requests from this page (CORS), which is common with GitHub Enterprise Server.'
        ),
      nextStep: trans.__(
        'Check the "GitHub API base URL" setting (for GitHub Enterprise Server it is https://HOST/api/v3), your network connection, and any proxy or firewall between this browser and GitHub. For GitHub Enterprise Server, also ask its administrators whether the API accepts cross-origin (CORS) requests from this JupyterLab\'s address.'
      )
    };
  }

  const response = outcome.response;
  const status = response.status;
  if (status >= 200 && status < 300) {
    return undefined;
  }
  if (status === 401) {
    return {
      code: 'bad-credentials',
      title: trans.__('Token not accepted'),
      message: trans.__('GitHub does not accept this token: it is wrong, expired or revoked.'),
      nextStep: trans.__('Create a new token on GitHub and paste it here.'),
      link: settingsLink(context, trans)
    };
  }
  if (status === 403 || status === 429) {
    return forbiddenProblem(response, context, trans);
  }
  if (status === 404 && context.what === 'repo') {
    const name = context.repoFullName ?? trans.__('(unnamed)');
    const fineGrained = context.tokenKind === 'fine-grained';
    return {
      code: 'repo-not-found',
      title: trans.__('Repository not accessible'),
      message: fineGrained
        ? trans.__(
            'The repository %1 was not found, or this token is not granted access to it. A fine-grained token only reaches the repositories selected under "Repository access" when it was created, for the resource owner chosen then.',
            name
          )
        : trans.__('The repository %1 was not found, or this token is not granted access to it.', name),
      nextStep: fineGrained
        ? trans.__(
            'Check the owner and name; then edit the token on GitHub and add this repository under "Repository access" (the organization may also need to approve the token).'
          )
        : trans.__(
            'Check the owner and name. For a private repository a classic token needs the repo scope, and your account needs access to it.'
          ),
      link: fineGrained ? settingsLink(context, trans) : undefined
    };
  }
  if (status >= 500) {
    return {
      code: 'server-error',
      title: trans.__('GitHub had a problem'),
      message: trans.__('GitHub answered with a server error (HTTP %1).', status),
      nextStep: trans.__('Try again in a few minutes.'),
      link: isGithubDotCom(context.apiBaseUrl)
        ? { href: 'https://www.githubstatus.com/', label: trans.__('GitHub status') }
        : undefined
    };
  }
  const message = bodyMessage(response.data);
  return {
    code: 'unexpected',
    title: trans.__('Unexpected answer from GitHub'),
    message: message
      ? trans.__('GitHub answered HTTP %1: "%2".', status, message)
      : trans.__('GitHub answered HTTP %1.', status),
    nextStep:
      status === 404
        ? trans.__(
            'Check the "GitHub API base URL" setting: it is https://api.github.com for github.com and https://HOST/api/v3 for GitHub Enterprise Server.'
          )
        : trans.__('Try again; if this persists, check the GitHub API base URL setting.')
  };
}

/** A problem for a successful response whose body is not what was expected. */
export function malformedProblem(trans: Trans): IProblem {
  return {
    code: 'malformed',
    title: trans.__('Unexpected answer from GitHub'),
    message: trans.__(
      'The answer did not look like one from the GitHub API (a proxy or a wrong API base URL may be in the way).'
    ),
    nextStep: trans.__(
      'Check the "GitHub API base URL" setting: it is https://api.github.com for github.com and https://HOST/api/v3 for GitHub Enterprise Server.'
    )
  };
}

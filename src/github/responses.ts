/**
 * Maps GitHub REST API answers (already normalized by the I/O layer) to what
 * the panel shows: problems with a title, an explanation and a next step,
 * and the report of a token verification.
 *
 * Pure: no fetch, no DOM. Never trusts response bodies to have any shape.
 */

import { defaultTrans, Trans } from '../i18n';
import {
  AccessLevel,
  grantsWrite,
  missingScopes as computeMissingScopes,
  parseScopesHeader,
  requiredScopes
} from './scopes';
import type { TokenKind } from '../token/format';
import { normalizeWebBaseUrl, tokenSettingsUrl } from './tokenPages';

/** An HTTP response, with lowercase header names. */
export interface NormalizedResponse {
  status: number;
  headers: Record<string, string>;
  data: unknown;
}

/** The result of one API call: a response, or a network failure. */
export type ApiOutcome =
  | { kind: 'response'; response: NormalizedResponse }
  | { kind: 'network'; problem: 'timeout' | 'unreachable'; detail?: string };

/** GitHub's rate limit, from the `x-ratelimit-*` headers. */
export interface RateLimitInfo {
  limit: number;
  remaining: number;
  used?: number;
  /** When the window resets. */
  resetAt: Date;
  /** e.g. `core`, `search`, `graphql`. */
  resource?: string;
}

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
export interface Problem {
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
export interface ProblemContext {
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

/** Look a header up case-insensitively. */
function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) {
    return undefined;
  }
  const direct = headers[name];
  if (typeof direct === 'string') {
    return direct;
  }
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name && typeof headers[key] === 'string') {
      return headers[key];
    }
  }
  return undefined;
}

/** Parse a non-negative integer header value. */
function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) {
    return undefined;
  }
  return Number(value.trim());
}

/**
 * Read the rate limit from `x-ratelimit-limit`, `-remaining`, `-reset`
 * (epoch seconds) and optionally `-used` and `-resource`.
 *
 * @returns `undefined` unless limit, remaining and reset are all readable.
 */
export function parseRateLimit(headers: Record<string, string>): RateLimitInfo | undefined {
  const limit = parseCount(header(headers, 'x-ratelimit-limit'));
  const remaining = parseCount(header(headers, 'x-ratelimit-remaining'));
  const reset = parseCount(header(headers, 'x-ratelimit-reset'));
  if (limit === undefined || remaining === undefined || reset === undefined) {
    return undefined;
  }
  const info: RateLimitInfo = { limit, remaining, resetAt: new Date(reset * 1000) };
  const used = parseCount(header(headers, 'x-ratelimit-used'));
  if (used !== undefined) {
    info.used = used;
  }
  const resource = header(headers, 'x-ratelimit-resource')?.trim();
  if (resource) {
    info.resource = resource;
  }
  return info;
}

/** Whether `value` is an absolute http(s) URL. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Extract the authorization URL from an `X-GitHub-SSO` header such as
 * `required; url=https://github.com/orgs/ORG/sso?authorization_request=...`.
 *
 * @returns the URL, or `undefined` when there is none or it is not http(s).
 */
export function parseSsoHeader(value: string | null | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  for (const part of value.split(';')) {
    const match = /^\s*url\s*=\s*(\S+)\s*$/i.exec(part);
    if (match && isHttpUrl(match[1])) {
      return match[1];
    }
  }
  return undefined;
}

/**
 * Parse the `GitHub-Authentication-Token-Expiration` header, e.g.
 * `2026-12-24 10:00:00 UTC` or `2026-12-24 10:00:00 -0700`.
 *
 * @returns `null` when the header is absent (the token does not expire),
 *   `undefined` when the value cannot be understood.
 */
export function parseExpiryHeader(value: string | null | undefined): Date | null | undefined {
  if (value === null || value === undefined) {
    return null;
  }
  const match = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})\s*$/i.exec(
    value
  );
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = match[6] ? Number(match[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Reject dates such as February 30th, which Date.UTC would roll over.
  if (new Date(utc).getUTCDate() !== day) {
    return undefined;
  }
  let offsetMinutes = 0;
  const zone = match[7].toUpperCase();
  if (zone !== 'UTC' && zone !== 'GMT' && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits[0] === '-' ? -1 : 1;
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 14 || minutes > 59) {
      return undefined;
    }
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  return new Date(utc - offsetMinutes * 60000);
}

/**
 * Patterns of secrets that must never be shown, even if a body echoes one:
 * new-format tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`,
 * also right after an underscore, as in `token_ghp_...`) and old tokens,
 * 40 hexadecimal characters (any run of 40 or more is redacted, whatever its
 * case, so a token glued to other hexadecimal digits is caught too; commit
 * SHAs are redacted as well, which is harmless in an error message).
 */
const SECRET_PATTERN = /(?<![A-Za-z0-9])(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]+|[0-9A-Fa-f]{40,}/g;

/** Make a string from a server safe and short enough to show. */
function sanitizeText(text: string, maxLength = 300): string {
  const clean = text
    .replace(SECRET_PATTERN, '[redacted]')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1)}…` : clean;
}

/** Read a property of an unknown value, if it is a plain object. */
function prop(data: unknown, key: string): unknown {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    return (data as Record<string, unknown>)[key];
  }
  return undefined;
}

/**
 * GitHub's `message` from an error body, which may be an object, a JSON
 * string, HTML from a proxy, or anything else.
 */
export function bodyMessage(data: unknown): string | undefined {
  let body = data;
  if (typeof body === 'string') {
    const text = body.trim();
    if (!text.startsWith('{')) {
      return undefined;
    }
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
  const message = prop(body, 'message');
  if (typeof message !== 'string' || !message.trim()) {
    return undefined;
  }
  return sanitizeText(message);
}

/**
 * The token settings page for a token kind (or for `type` when given), if the
 * URL is usable.
 */
function settingsLink(
  context: ProblemContext,
  trans: Trans,
  type: 'fine-grained' | 'classic' = context.tokenKind === 'fine-grained' ? 'fine-grained' : 'classic'
): Problem['link'] | undefined {
  try {
    return {
      href: tokenSettingsUrl(context.webBaseUrl, type),
      label: trans.__('Open your token settings on GitHub')
    };
  } catch {
    return undefined;
  }
}

/** Parse `retry-after`: seconds, or an HTTP date. Returns milliseconds. */
function retryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const seconds = parseCount(value);
  if (seconds !== undefined) {
    return seconds * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
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
function forbiddenProblem(response: NormalizedResponse, context: ProblemContext, trans: Trans): Problem {
  const headers = response.headers;
  const now = context.now ?? new Date();
  const message = bodyMessage(response.data);
  const rate = parseRateLimit(headers);
  const remaining = parseCount(header(headers, 'x-ratelimit-remaining'));

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

  const retryMs = retryAfterMs(header(headers, 'retry-after'), now);
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

  const ssoHeader = header(headers, 'x-github-sso');
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
  const scopes = header(headers, 'x-accepted-oauth-scopes')?.trim();
  if (scopes) {
    parts.push(trans.__('Scopes that allow it: %1.', sanitizeText(scopes)));
  }
  const permissions = header(headers, 'x-accepted-github-permissions')?.trim();
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
  context: ProblemContext,
  trans: Trans
): Problem {
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
export function problemFromOutcome(
  outcome: ApiOutcome,
  context: ProblemContext,
  trans: Trans = defaultTrans
): Problem | undefined {
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

/** The account a token belongs to. */
export interface AccountInfo {
  login: string;
  name?: string;
  avatarUrl?: string;
  htmlUrl?: string;
}

/** The result of checking the optional repository. */
export interface RepoCheck {
  fullName: string;
  reachable: boolean;
  private?: boolean;
  /** The account's permissions on the repository, as GitHub reports them. */
  canPush?: boolean;
  canPull?: boolean;
  problem?: Problem;
}

/** Everything the panel shows after verifying a token. */
export interface VerifyReport {
  ok: boolean;
  tokenKind: TokenKind;
  account?: AccountInfo;
  /** Classic-token scopes; `null` when GitHub does not report them. */
  scopes: string[] | null;
  missingScopes: string[];
  /** The token can push although read-only access was chosen. */
  excessWrite: boolean;
  rateLimit?: RateLimitInfo;
  /** Expiry, only when the expiry header could be read; `null` = never. */
  expiresAt?: Date | null;
  repo?: RepoCheck;
  problem?: Problem;
  /** Plain-language notes on what was (and was not) verified. */
  notes: string[];
}

/** Input of {@link buildVerifyReport}. */
export interface VerifyInput {
  tokenKind: TokenKind;
  access: AccessLevel;
  /** Outcome of `GET /user`. */
  user: ApiOutcome;
  /** Outcome of `GET /repos/{owner}/{repo}`, when a repository was given. */
  repo?: { fullName: string; outcome: ApiOutcome };
  apiBaseUrl: string;
  webBaseUrl: string;
  /** The current time; defaults to now. */
  now?: Date;
  /**
   * Whether every response header was visible (verification through the
   * Jupyter server). A browser only sees the CORS-exposed ones, which exclude
   * the expiry header: only then does its absence mean "never expires".
   */
  headersComplete?: boolean;
}

/** A string property of an unknown value, if present and non-empty. */
function stringProp(data: unknown, key: string): string | undefined {
  const value = prop(data, key);
  return typeof value === 'string' && value ? value : undefined;
}

/** A boolean property of an unknown value, if present. */
function boolProp(data: unknown, key: string): boolean | undefined {
  const value = prop(data, key);
  return typeof value === 'boolean' ? value : undefined;
}

/** Read the account from a `GET /user` body. */
function accountFrom(data: unknown): AccountInfo | undefined {
  const login = stringProp(data, 'login');
  if (!login) {
    return undefined;
  }
  const account: AccountInfo = { login };
  const name = stringProp(data, 'name');
  const avatarUrl = stringProp(data, 'avatar_url');
  const htmlUrl = stringProp(data, 'html_url');
  if (name) {
    account.name = name;
  }
  if (avatarUrl && isHttpUrl(avatarUrl)) {
    account.avatarUrl = avatarUrl;
  }
  if (htmlUrl && isHttpUrl(htmlUrl)) {
    account.htmlUrl = htmlUrl;
  }
  return account;
}

/** A problem for a successful response whose body is not what was expected. */
function malformedProblem(trans: Trans): Problem {
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

/** Check the repository outcome. */
function repoCheckFrom(repo: { fullName: string; outcome: ApiOutcome }, input: VerifyInput, trans: Trans): RepoCheck {
  const problem = problemFromOutcome(
    repo.outcome,
    {
      apiBaseUrl: input.apiBaseUrl,
      webBaseUrl: input.webBaseUrl,
      what: 'repo',
      repoFullName: repo.fullName,
      tokenKind: input.tokenKind,
      now: input.now
    },
    trans
  );
  if (problem) {
    return { fullName: repo.fullName, reachable: false, problem };
  }
  const data = repo.outcome.kind === 'response' ? repo.outcome.response.data : undefined;
  const fullName = stringProp(data, 'full_name');
  if (!fullName) {
    return { fullName: repo.fullName, reachable: false, problem: malformedProblem(trans) };
  }
  const check: RepoCheck = { fullName, reachable: true };
  const isPrivate = boolProp(data, 'private');
  if (isPrivate !== undefined) {
    check.private = isPrivate;
  }
  const permissions = prop(data, 'permissions');
  if (permissions !== undefined) {
    const push = boolProp(permissions, 'push');
    const admin = boolProp(permissions, 'admin');
    const maintain = boolProp(permissions, 'maintain');
    const pull = boolProp(permissions, 'pull');
    if (push !== undefined || admin !== undefined || maintain !== undefined) {
      check.canPush = push === true || admin === true || maintain === true;
    }
    if (pull !== undefined) {
      check.canPull = pull || check.canPush === true;
    }
  }
  return check;
}

/**
 * Build the verification report from the outcomes of `GET /user` and,
 * optionally, `GET /repos/{owner}/{repo}`.
 *
 * `ok` is true when the user call succeeded, no required scope is missing,
 * and (when a repository was checked) it is reachable and, unless read-only
 * access was chosen, the account can push to it.
 */
export function buildVerifyReport(input: VerifyInput, trans: Trans = defaultTrans): VerifyReport {
  const notes: string[] = [];
  const report: VerifyReport = {
    ok: false,
    tokenKind: input.tokenKind,
    scopes: null,
    missingScopes: [],
    excessWrite: false,
    notes
  };

  const userProblem = problemFromOutcome(
    input.user,
    {
      apiBaseUrl: input.apiBaseUrl,
      webBaseUrl: input.webBaseUrl,
      what: 'user',
      tokenKind: input.tokenKind,
      now: input.now
    },
    trans
  );
  const userResponse = input.user.kind === 'response' ? input.user.response : undefined;
  if (userResponse) {
    report.rateLimit = parseRateLimit(userResponse.headers);
  }
  if (input.repo) {
    report.repo = repoCheckFrom(input.repo, input, trans);
  }
  if (userProblem || !userResponse) {
    report.problem = userProblem;
    notes.push(trans.__('The token could not be verified.'));
    return report;
  }
  const account = accountFrom(userResponse.data);
  if (!account) {
    report.problem = malformedProblem(trans);
    notes.push(trans.__('The token could not be verified.'));
    return report;
  }
  report.account = account;

  const scopes = parseScopesHeader(header(userResponse.headers, 'x-oauth-scopes'));
  report.scopes = scopes;
  report.missingScopes = computeMissingScopes(scopes, requiredScopes(input.access));
  report.excessWrite = input.access === 'read-only' && grantsWrite(scopes);

  const expiryHeader = header(userResponse.headers, 'github-authentication-token-expiration');
  if (expiryHeader !== undefined) {
    const expiresAt = parseExpiryHeader(expiryHeader);
    if (expiresAt) {
      report.expiresAt = expiresAt;
    }
  } else if (input.headersComplete) {
    report.expiresAt = null;
  }

  // What was verified.
  if (scopes === null) {
    notes.push(
      input.tokenKind === 'fine-grained'
        ? trans.__(
            'GitHub does not report the permissions of fine-grained tokens; verified: the token is valid and belongs to %1.',
            account.login
          )
        : trans.__(
            'GitHub did not report the scopes of this token; verified: the token is valid and belongs to %1.',
            account.login
          )
    );
  } else {
    notes.push(
      scopes.length
        ? trans.__(
            'Verified: the token is valid, belongs to %1 and has the scopes: %2.',
            account.login,
            scopes.join(', ')
          )
        : trans.__(
            'Verified: the token is valid and belongs to %1; it has no scopes (it can only read public data).',
            account.login
          )
    );
  }

  // Scopes missing or in excess.
  if (report.missingScopes.length) {
    const publicOnly = input.access === 'read-write' && scopes !== null && grantsWrite(scopes);
    notes.push(
      publicOnly
        ? trans.__(
            'The token can push only to public repositories (scope public_repo); to push to private repositories it needs the repo scope.'
          )
        : trans._n(
            'The token lacks the scope %2 needed for the access you chose.',
            'The token lacks the scopes %2 needed for the access you chose.',
            report.missingScopes.length,
            report.missingScopes.join(', ')
          )
    );
  }
  if (report.excessWrite) {
    notes.push(
      trans.__(
        'You chose read-only access, but this token can also push to repositories. A fine-grained token with read-only "Contents" permission is safer.'
      )
    );
  } else if (input.access === 'read-write-public' && scopes !== null && scopes.includes('repo')) {
    notes.push(
      trans.__(
        'This token can also push to private repositories (scope repo); a token with only public_repo would be enough.'
      )
    );
  }

  // Expiry.
  if (report.expiresAt) {
    notes.push(trans.__('The token expires on %1.', report.expiresAt.toLocaleString()));
  }

  // Repository.
  const repo = report.repo;
  if (repo) {
    if (!repo.reachable) {
      notes.push(trans.__('Repository %1: %2', repo.fullName, repo.problem?.title ?? trans.__('not reachable')));
    } else if (repo.canPush) {
      notes.push(trans.__('Repository %1 is reachable and your account can push to it.', repo.fullName));
    } else if (repo.canPush === false) {
      notes.push(trans.__('Repository %1 is reachable, but your account can only read it.', repo.fullName));
      if (input.access !== 'read-only') {
        repo.problem = {
          code: 'forbidden',
          title: trans.__('No write access'),
          message: trans.__('Your account can read %1 but not push to it.', repo.fullName),
          nextStep: trans.__('Ask an owner of the repository for write access, or choose read-only access.')
        };
      }
    } else {
      notes.push(
        trans.__('Repository %1 is reachable; GitHub did not report whether you can push to it.', repo.fullName)
      );
    }
    if (repo.reachable && input.tokenKind === 'fine-grained') {
      notes.push(
        trans.__(
          'For fine-grained tokens GitHub reports the permissions of your account on the repository, not those of the token: whether the token itself may push depends on its "Contents" permission.'
        )
      );
    }
  }

  report.ok =
    report.missingScopes.length === 0 &&
    (!repo || (repo.reachable && (input.access === 'read-only' || repo.canPush === true)));
  return report;
}

/**
 * Parse a repository given as `owner/name` or as
 * `https://github.com/owner/name` (optionally ending in `.git` or `/`).
 * URLs of a GitHub Enterprise host are accepted when `webBaseUrl` names it.
 *
 * @returns `undefined` for anything else.
 */
export function parseRepoFullName(
  input: string,
  webBaseUrl = 'https://github.com'
): { owner: string; repo: string } | undefined {
  const owner = '[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})';
  const name = '[A-Za-z0-9._-]{1,100}';
  const text = input.trim();
  const plain = new RegExp(`^(${owner})/(${name})$`).exec(text);
  if (plain) {
    return validRepoName(plain[1], plain[2]);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const bases = ['https://github.com'];
  try {
    bases.push(normalizeWebBaseUrl(webBaseUrl));
  } catch {
    // An invalid setting: only github.com URLs are accepted.
  }
  if (url.search || url.hash || url.username || url.password) {
    return undefined;
  }
  for (const base of bases) {
    const prefix = `${base}/`;
    const href = `${url.origin}${url.pathname}`;
    if (!href.startsWith(prefix)) {
      continue;
    }
    const rest = href.slice(prefix.length).replace(/\/$/, '');
    const match = new RegExp(`^(${owner})/(${name})$`).exec(rest);
    if (match) {
      const repo = match[2].endsWith('.git') ? match[2].slice(0, -4) : match[2];
      return validRepoName(match[1], repo);
    }
  }
  return undefined;
}

/** Reject the reserved names `.` and `..` (and an empty name). */
function validRepoName(owner: string, repo: string): { owner: string; repo: string } | undefined {
  return repo && repo !== '.' && repo !== '..' ? { owner, repo } : undefined;
}

/**
 * The report of a token verification: who the token belongs to, its scopes
 * against the access chosen, its expiry and rate limit, the optional
 * repository, and plain-language notes on what was (and was not) verified.
 * Pure: it only reads the outcomes client.ts fetched.
 */
import type { Trans } from '../i18n';
import type { TokenKind } from '../policy/policy';
import type { ApiOutcome } from './apiOutcome';
import { boolProp, prop, stringProp } from './body';
import { headerValue, IRateLimitInfo, parseExpiryHeader, parseRateLimit } from './headers';
import { IProblem, malformedProblem, problemFromOutcome } from './problems';
import { isHttpUrl } from './redaction';
import {
  AccessLevel,
  grantsWrite,
  missingScopes as computeMissingScopes,
  parseScopesHeader,
  requiredScopes
} from './scopes';

/** The account a token belongs to. */
export interface IAccountInfo {
  login: string;
  name?: string;
  avatarUrl?: string;
  htmlUrl?: string;
}

/** The result of checking the optional repository. */
export interface IRepoCheck {
  fullName: string;
  reachable: boolean;
  private?: boolean;
  /** The account's permissions on the repository, as GitHub reports them. */
  canPush?: boolean;
  canPull?: boolean;
  problem?: IProblem;
}

/** Everything the panel shows after verifying a token. */
export interface IVerifyReport {
  ok: boolean;
  tokenKind: TokenKind;
  account?: IAccountInfo;
  /** Classic-token scopes; `null` when GitHub does not report them. */
  scopes: string[] | null;
  missingScopes: string[];
  /** The token can push although read-only access was chosen. */
  excessWrite: boolean;
  rateLimit?: IRateLimitInfo;
  /** Expiry, only when the expiry header could be read; `null` = never. */
  expiresAt?: Date | null;
  repo?: IRepoCheck;
  problem?: IProblem;
  /** Plain-language notes on what was (and was not) verified. */
  notes: string[];
}

/** Input of {@link buildVerifyReport}. */
export interface IVerifyInput {
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

/** Read the account from a `GET /user` body. */
function accountFrom(data: unknown): IAccountInfo | undefined {
  const login = stringProp(data, 'login');
  if (!login) {
    return undefined;
  }
  const account: IAccountInfo = { login };
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

/** Check the repository outcome. */
function repoCheckFrom(repo: { fullName: string; outcome: ApiOutcome }, input: IVerifyInput, trans: Trans): IRepoCheck {
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
  const check: IRepoCheck = { fullName, reachable: true };
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
export function buildVerifyReport(input: IVerifyInput, trans: Trans): IVerifyReport {
  const notes: string[] = [];
  const report: IVerifyReport = {
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

  const scopes = parseScopesHeader(headerValue(userResponse.headers, 'x-oauth-scopes'));
  report.scopes = scopes;
  report.missingScopes = computeMissingScopes(scopes, requiredScopes(input.access));
  report.excessWrite = input.access === 'read-only' && grantsWrite(scopes);

  const expiryHeader = headerValue(userResponse.headers, 'github-authentication-token-expiration');
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

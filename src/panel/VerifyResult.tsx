import * as React from 'react';
import type { Trans } from '../i18n';
import type { IProblem } from '../github/problems';
import type { IVerifyReport } from '../github/verifyReport';
import type { GitHubTokenModel } from '../model/tokenModel';
import { tokenKindLabel } from '../token/format';
import { describeScope } from '../github/scopes';
import { UseInNotebook } from './UseInNotebook';

function ProblemView({ problem, trans }: { problem: IProblem; trans: Trans }): JSX.Element {
  return (
    <div className="jp-GitHubToken-problem" data-problem={problem.code}>
      <p className="jp-GitHubToken-problemTitle">{problem.title}</p>
      <p>{problem.message}</p>
      <p>
        <strong>{trans.__('Next step:')}</strong> {problem.nextStep}
      </p>
      {problem.link && (
        <a href={problem.link.href} target="_blank" rel="noopener noreferrer">
          {problem.link.label}
        </a>
      )}
    </div>
  );
}

/** What GitHub said about the token, for the chosen access. */
export function VerifyResult({
  report,
  model,
  trans
}: {
  report: IVerifyReport;
  model: GitHubTokenModel;
  trans: Trans;
}): JSX.Element {
  const { account, scopes, missingScopes, rateLimit, repo } = report;
  const daysLeft = report.expiresAt
    ? Math.max(0, Math.ceil((report.expiresAt.getTime() - Date.now()) / 86400000))
    : undefined;
  const expiresSoon = daysLeft !== undefined && daysLeft < model.settings.expiryWarningDays;
  return (
    <div className={`jp-GitHubToken-report ${report.ok ? 'jp-mod-ok' : 'jp-mod-failed'}`} data-ok={report.ok}>
      <p className="jp-GitHubToken-verdict">
        {!report.ok
          ? trans.__('✗ The token is not ready for the access you chose.')
          : scopes === null
            ? trans.__(
                '✓ The token is valid. GitHub does not report what a fine-grained token may do: check its repository access and Contents permission on GitHub.'
              )
            : trans.__('✓ The token works for the access you chose.')}
      </p>
      {report.problem && <ProblemView problem={report.problem} trans={trans} />}
      {account && (
        <div className="jp-GitHubToken-account">
          {account.avatarUrl && <img src={account.avatarUrl} alt="" width={32} height={32} />}
          <div>
            <div data-testid="account-login">{account.login}</div>
            {account.name && <div className="jp-GitHubToken-hint">{account.name}</div>}
          </div>
        </div>
      )}
      {account && (
        <dl className="jp-GitHubToken-facts">
          <dt>{trans.__('Token kind')}</dt>
          <dd>{tokenKindLabel(report.tokenKind, trans)}</dd>
          <dt>{trans.__('Scopes')}</dt>
          <dd data-testid="token-scopes" className="jp-GitHubToken-chipRow">
            {scopes === null
              ? trans.__('not reported by GitHub for this kind of token')
              : scopes.length === 0
                ? trans.__('none (public read-only access)')
                : scopes.map(s => (
                    <code key={s} title={describeScope(s, trans)}>
                      {s}
                    </code>
                  ))}
          </dd>
          {missingScopes.length > 0 && (
            <>
              <dt>{trans.__('Missing')}</dt>
              <dd className="jp-GitHubToken-error" data-testid="missing-scopes">
                <span className="jp-GitHubToken-chipRow">
                  {missingScopes.map(s => (
                    <code key={s}>{s}</code>
                  ))}
                </span>
                {trans.__('Create a new token with these scopes (step 2).')}
              </dd>
            </>
          )}
          {report.expiresAt !== undefined && (
            <>
              <dt>{trans.__('Expires')}</dt>
              <dd data-testid="token-expiry" className={expiresSoon ? 'jp-GitHubToken-warning' : undefined}>
                {report.expiresAt === null
                  ? trans.__('never')
                  : trans._n('%2 (in %1 day)', '%2 (in %1 days)', daysLeft ?? 0, report.expiresAt.toLocaleDateString())}
                {expiresSoon && ' ' + trans.__('Create a new token soon (step 2).')}
              </dd>
            </>
          )}
          {rateLimit && (
            <>
              <dt>{trans.__('Rate limit')}</dt>
              <dd data-testid="rate-limit">
                {trans.__(
                  '%1 of %2 requests left, resets at %3',
                  rateLimit.remaining,
                  rateLimit.limit,
                  rateLimit.resetAt.toLocaleTimeString()
                )}
              </dd>
            </>
          )}
          {repo && (
            <>
              <dt>{trans.__('Repository')}</dt>
              <dd data-testid="repo-check">
                {!repo.reachable
                  ? trans.__('%1: not reachable', repo.fullName)
                  : repo.private
                    ? repo.canPush
                      ? trans.__('%1: reachable (private); push allowed', repo.fullName)
                      : trans.__('%1: reachable (private); push not allowed', repo.fullName)
                    : repo.canPush
                      ? trans.__('%1: reachable; push allowed', repo.fullName)
                      : trans.__('%1: reachable; push not allowed', repo.fullName)}
              </dd>
            </>
          )}
        </dl>
      )}
      {repo?.problem && <ProblemView problem={repo.problem} trans={trans} />}
      {report.notes.map((note, i) => (
        <p key={i} className="jp-GitHubToken-hint">
          {note}
        </p>
      ))}
      {report.ok && (
        <>
          <UseInNotebook model={model} trans={trans} />
          <button type="button" className="jp-Button jp-mod-styled" onClick={() => model.goTo('use')}>
            {trans.__('Continue: use it')}
          </button>
        </>
      )}
    </div>
  );
}

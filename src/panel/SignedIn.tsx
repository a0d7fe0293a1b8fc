import * as React from 'react';
import type { Trans } from '../i18n';
import type { IHeldTokenStatus } from '../server/api';
import type { TokenKind } from '../policy/policy';
import { tokenKindLabel } from '../token/format';
import { describeScope } from '../github/scopes';
import type { IStepProps } from './TokenPanel';
import { heldCheckProblem } from './heldCheck';

const DAY_MS = 86400000;

/** The held token's expiry in words, and whether it calls for a new token soon. */
export function expiryText(
  expiresAt: string | null,
  warningDays: number,
  trans: Trans,
  now: number = Date.now()
): { text: string; warn: boolean } {
  if (!expiresAt) {
    return { text: trans.__('no expiry'), warn: false };
  }
  const date = new Date(expiresAt);
  if (isNaN(date.getTime())) {
    return { text: trans.__('expiry unknown'), warn: false };
  }
  const days = Math.ceil((date.getTime() - now) / DAY_MS);
  if (days <= 0) {
    return { text: trans.__('expired on %1', date.toLocaleDateString()), warn: true };
  }
  const text = trans._n('expires %2 (in %1 day)', 'expires %2 (in %1 days)', days, date.toLocaleDateString());
  return { text, warn: days < warningDays };
}

/**
 * The panel's header while the Jupyter server holds a token for the API in the
 * settings: who it signs in as, what kind of token it is and until when, what
 * the server's own re-check found, "Check again" and Forget. Only the
 * server's masked form is ever shown.
 */
export function SignedIn({
  held,
  model,
  trans,
  onForget
}: IStepProps & { held: IHeldTokenStatus; onForget: () => void }): JSX.Element {
  const expiry = expiryText(held.expiresAt, model.settings.expiryWarningDays, trans);
  const problem = heldCheckProblem(held.check, trans);
  const checking = model.verifyState.status === 'verifying';
  // Without a draft, Verify checks the held token (the model reveals it for that one round);
  // with one, Verify is about the draft.
  const canCheck = !model.hasDraft;
  const checkAgain = () => {
    // The report is shown where reports are: the verify step.
    model.goTo('verify');
    void model.verify();
  };
  const checkAgainButton = (accept: boolean) =>
    canCheck && (
      <button
        type="button"
        className={`jp-Button jp-mod-styled${accept ? ' jp-mod-accept' : ''}`}
        disabled={checking}
        onClick={checkAgain}
        title={trans.__('Ask %1 again whether this token works', model.apiHost)}
      >
        {checking ? trans.__('Checking…') : trans.__('Check again')}
      </button>
    );
  return (
    <div className="jp-GitHubToken-signedIn" data-testid="signed-in">
      <p className="jp-GitHubToken-signedInTitle">
        {held.login ? trans.__('Signed in as %1', held.login) : trans.__('Token held')}
      </p>
      <p className="jp-GitHubToken-signedInFacts">
        <code data-testid="signed-in-masked">{held.masked}</code>
        <span data-testid="signed-in-kind">{tokenKindLabel(held.kind as TokenKind, trans)}</span>
        <span data-testid="signed-in-expiry" className={expiry.warn ? 'jp-GitHubToken-warning' : undefined}>
          {expiry.text}
        </span>
      </p>
      {held.scopes && held.scopes.length > 0 && (
        <ul className="jp-GitHubToken-chips" aria-label={trans.__('Scopes')}>
          {held.scopes.map(scope => (
            <li key={scope}>
              <code title={describeScope(scope, trans)}>{scope}</code>
            </li>
          ))}
        </ul>
      )}
      <p className="jp-GitHubToken-hint">
        {held.remembered
          ? trans.__('Remembered on this computer (in its keychain): it is back after a server restart.')
          : trans.__('Held by this Jupyter server, in memory: every tab of it uses this token until the server stops.')}
      </p>
      {problem && (
        <div className="jp-GitHubToken-problem" data-testid="held-check" data-check={held.check.status}>
          <p className="jp-GitHubToken-problemTitle">{problem.title}</p>
          <p>
            <strong>{trans.__('Next step:')}</strong> {problem.next}
          </p>
          {problem.action === 'create' ? (
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-accept"
              onClick={() => model.goTo('access')}
            >
              {trans.__('Create a new token')}
            </button>
          ) : (
            checkAgainButton(true)
          )}
        </div>
      )}
      <div className="jp-GitHubToken-actions">
        {problem?.action !== 'check-again' && checkAgainButton(false)}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-warn"
          onClick={onForget}
          title={
            held.remembered
              ? trans.__('Forget the token in every tab of this server and remove it from this computer')
              : trans.__('Forget the token in every tab of this server')
          }
        >
          {trans.__('Forget')}
        </button>
      </div>
    </div>
  );
}

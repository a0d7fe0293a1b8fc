import * as React from 'react';
import type { IStepProps } from './TokenPanel';
import { VerifyResult } from './VerifyResult';
import { RouteNote } from './RouteNote';

/** Attributes that keep browser and extension password managers away from the field. */
const NO_PASSWORD_MANAGER = {
  'data-lpignore': 'true',
  'data-1p-ignore': 'true',
  'data-bwignore': 'true',
  'data-form-type': 'other'
};

/** Step 3: paste the token, check it offline as it is typed, then ask GitHub. */
export function VerifyStep({ model, trans }: IStepProps): JSX.Element {
  const [shown, setShown] = React.useState(false);
  const inputRef = React.useRef<HTMLInputElement>(null);
  const format = model.format;
  const state = model.verifyState;
  const errors = format?.issues.filter(i => i.severity === 'error') ?? [];
  const warnings = format?.issues.filter(i => i.severity === 'warning') ?? [];
  const repoProblem = model.repositoryProblem;
  const apiProblem = model.apiUrlProblem;
  // A well-formed draft, or none and a held token: Verify then checks the held one again.
  const checksHeld = !format && !!model.held;
  const canVerify = (!!format?.ok || checksHeld) && state.status !== 'verifying' && !repoProblem && !apiProblem;
  const viaServer = model.verificationRoute === 'server';

  // The input is uncontrolled on purpose: a controlled React input mirrors its
  // value into the DOM `value` attribute, where selectors and snapshots see it.
  // Only the property is touched here, e.g. to empty the field after Forget.
  React.useEffect(() => {
    const input = inputRef.current;
    if (input && input.value !== model.draft) {
      input.value = model.draft;
    }
  });

  const verify = () => {
    if (canVerify) {
      void model.verify();
    }
  };
  const onEnter = (event: React.KeyboardEvent) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      verify();
    }
  };

  // No <form>: a submitted password field invites the browser to offer saving it.
  return (
    <div className="jp-GitHubToken-verify">
      <label htmlFor="jp-github-token-input" className="jp-GitHubToken-fieldLabel">
        {trans.__('GitHub token')}
      </label>
      <div className="jp-GitHubToken-secretRow">
        <input
          id="jp-github-token-input"
          ref={inputRef}
          className="jp-mod-styled jp-GitHubToken-secret"
          type={shown ? 'text' : 'password'}
          aria-describedby="jp-github-token-format"
          aria-invalid={errors.length > 0}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          {...NO_PASSWORD_MANAGER}
          placeholder={trans.__('ghp_… or github_pat_…')}
          defaultValue=""
          onChange={e => {
            model.draft = e.currentTarget.value;
          }}
          onKeyDown={onEnter}
        />
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-GitHubToken-toggle"
          aria-pressed={shown}
          aria-controls="jp-github-token-input"
          title={trans.__('Show or hide the token')}
          onClick={() => setShown(!shown)}
        >
          {trans.__('Show token')}
        </button>
      </div>
      <div id="jp-github-token-format" className="jp-GitHubToken-format" aria-live="polite">
        {format && (
          <>
            <p data-testid="token-kind">
              {format.ok ? '✓ ' : ''}
              {format.kindLabel}
              {format.ok && format.checksum === 'valid' ? ` · ${trans.__('checksum valid')}` : ''}
            </p>
            {errors.map(i => (
              <p key={i.code} className="jp-GitHubToken-error" data-testid="format-error">
                {i.message}
              </p>
            ))}
            {warnings.map(i => (
              <p key={i.code} className="jp-GitHubToken-warning">
                {i.message}
              </p>
            ))}
          </>
        )}
        {!format && (
          <p className="jp-GitHubToken-hint">
            {viaServer
              ? trans.__(
                  'Paste the token you copied from GitHub: it is verified at once, then held by this Jupyter server for every tab of it.'
                )
              : trans.__(
                  'Paste the token you copied from GitHub: it is verified at once, and stays in this browser tab only.'
                )}
          </p>
        )}
        {!format && model.held && (
          <p className="jp-GitHubToken-hint" data-testid="verify-replaces">
            {trans.__(
              'The server already holds %1: Verify checks it again, and a token verified here replaces it.',
              model.held.masked
            )}
          </p>
        )}
      </div>
      <label htmlFor="jp-github-token-repo" className="jp-GitHubToken-fieldLabel">
        {trans.__('Repository to check (optional)')}
      </label>
      <input
        id="jp-github-token-repo"
        className="jp-mod-styled"
        type="text"
        placeholder={trans.__('owner/name')}
        spellCheck={false}
        aria-invalid={!!repoProblem}
        aria-describedby="jp-github-token-repo-problem"
        value={model.repository}
        onChange={e => {
          model.repository = e.currentTarget.value;
        }}
        onKeyDown={onEnter}
      />
      <p id="jp-github-token-repo-problem" className="jp-GitHubToken-error">
        {repoProblem}
      </p>
      {apiProblem && (
        <p className="jp-GitHubToken-error" data-testid="api-url-problem">
          {apiProblem}
        </p>
      )}
      <button type="button" className="jp-Button jp-mod-styled jp-mod-accept" disabled={!canVerify} onClick={verify}>
        {state.status === 'verifying' ? trans.__('Verifying…') : trans.__('Verify')}
      </button>
      {!apiProblem && (
        <p className="jp-GitHubToken-hint">{trans.__('Verify sends the token to %1 only.', model.apiHost)}</p>
      )}
      {/* Once GitHub answered, the report's own note names the route. */}
      {!(state.status === 'done' && state.report.account) && <RouteNote model={model} trans={trans} />}
      <div className="jp-GitHubToken-result" aria-live="polite" data-testid="verify-result">
        {state.status === 'verifying' && (
          <p className="jp-GitHubToken-hint" data-testid="verifying">
            {trans.__('Verifying the token with %1…', model.apiHost)}
          </p>
        )}
        {state.status === 'done' && <VerifyResult report={state.report} model={model} trans={trans} />}
      </div>
    </div>
  );
}

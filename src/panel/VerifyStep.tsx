import * as React from 'react';
import type { IStepProps } from './TokenPanel';
import { VerifyResult } from './VerifyResult';

/** Step 3: paste the token, check it offline as it is typed, then ask GitHub. */
export function VerifyStep({ model, trans }: IStepProps): JSX.Element {
  const [shown, setShown] = React.useState(false);
  const format = model.format;
  const state = model.verifyState;
  const errors = format?.issues.filter(i => i.severity === 'error') ?? [];
  const warnings = format?.issues.filter(i => i.severity === 'warning') ?? [];
  const repoProblem = model.repositoryProblem;
  const canVerify = model.hasToken && state.status !== 'verifying' && !repoProblem;

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    if (canVerify) {
      void model.verify();
    }
  };

  return (
    <form className="jp-GitHubToken-verify" onSubmit={onSubmit} autoComplete="off">
      <label htmlFor="jp-github-token-input" className="jp-GitHubToken-fieldLabel">
        {trans.__('GitHub token')}
      </label>
      <div className="jp-GitHubToken-secretRow">
        <input
          id="jp-github-token-input"
          className="jp-mod-styled jp-GitHubToken-secret"
          type={shown ? 'text' : 'password'}
          aria-label={trans.__('GitHub token')}
          aria-describedby="jp-github-token-format"
          aria-invalid={errors.length > 0}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          data-lpignore="true"
          placeholder={trans.__('ghp_… or github_pat_…')}
          value={model.draft}
          onChange={e => {
            model.draft = e.currentTarget.value;
          }}
        />
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-GitHubToken-toggle"
          aria-pressed={shown}
          aria-controls="jp-github-token-input"
          onClick={() => setShown(!shown)}
        >
          {shown ? trans.__('Hide token') : trans.__('Show token')}
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
        {!format && <p className="jp-GitHubToken-hint">{trans.__('Paste the token you copied from GitHub. It stays in this browser tab only.')}</p>}
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
      />
      <p id="jp-github-token-repo-problem" className="jp-GitHubToken-error">
        {repoProblem}
      </p>
      <button type="submit" className="jp-Button jp-mod-styled jp-mod-accept" disabled={!canVerify}>
        {state.status === 'verifying' ? trans.__('Verifying…') : trans.__('Verify')}
      </button>
      <div className="jp-GitHubToken-result" aria-live="polite" data-testid="verify-result">
        {state.status === 'done' && <VerifyResult report={state.report} model={model} trans={trans} />}
      </div>
    </form>
  );
}

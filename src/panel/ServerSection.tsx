import * as React from 'react';
import type { IStepProps } from './TokenPanel';

/**
 * "Use for new kernels and terminals" (the token held in the Jupyter server's
 * memory) and, after Forget, the running kernels that still hold it.
 */
export function ServerSection({ model, trans }: IStepProps): JSX.Element {
  const [error, setError] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const server = model.server;
  const holders = model.kernelsHoldingToken;
  const names = model.settings.environmentVariables.join(', ');

  const toggle = async (on: boolean) => {
    setBusy(true);
    setError(await model.useForNewKernels(on));
    setBusy(false);
  };

  return (
    <div className="jp-GitHubToken-server">
      <h4>{trans.__('New kernels and terminals')}</h4>
      {server === null && (
        <p className="jp-GitHubToken-hint" data-testid="server-absent">
          {trans.__('The jupyterlab_github_token server extension is not enabled on this Jupyter server, so new kernels and terminals cannot receive the token.')}
        </p>
      )}
      {server && (
        <>
          <label className="jp-GitHubToken-choice">
            <input
              type="checkbox"
              role="switch"
              checked={server.held}
              aria-checked={server.held}
              disabled={busy || (!server.held && !model.hasToken)}
              onChange={e => void toggle(e.currentTarget.checked)}
            />
            <span>
              <span className="jp-GitHubToken-choiceLabel">{trans.__('Use for new kernels and terminals')}</span>
              <span className="jp-GitHubToken-hint">
                {trans.__('Every kernel and terminal started from now on gets %1, and git over HTTPS to %2 uses it. The server keeps it in memory only: a server restart forgets it.', names, server.gitHosts.join(', ') || 'GitHub')}
              </span>
            </span>
          </label>
          {server.held && (
            <p className="jp-GitHubToken-success" data-testid="server-held">
              {trans.__('The server holds %1%2.', server.masked ?? '', server.login ? trans.__(' (%1)', server.login) : '')}
            </p>
          )}
        </>
      )}
      {(error || model.serverError) && (
        <p className="jp-GitHubToken-error" role="alert">
          {error || model.serverError}
        </p>
      )}
      {holders.length > 0 && (
        <div className="jp-GitHubToken-holders" data-testid="kernels-holding">
          <p>
            {model.hasToken
              ? trans._n(
                  '%1 running kernel has the token in its environment.',
                  '%1 running kernels have the token in their environment.',
                  holders.length
                )
              : trans._n(
                  '%1 running kernel still has the token in its environment.',
                  '%1 running kernels still have the token in their environment.',
                  holders.length
                )}
          </p>
          <ul>
            {model.kernelsHoldingTokenLabels.map((label, i) => (
              <li key={i}>{label}</li>
            ))}
          </ul>
          <button type="button" className="jp-Button jp-mod-styled jp-mod-warn" onClick={() => void model.clearKernels()}>
            {trans.__('Clear it from these kernels')}
          </button>
        </div>
      )}
    </div>
  );
}

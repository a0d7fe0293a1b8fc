import * as React from 'react';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IStepProps } from './TokenPanel';

/** Why clearing os.environ is not the whole story, said plainly. */
function initialEnvironmentNote(trans: TranslationBundle): string {
  return trans.__(
    'Clearing removes the variables from os.environ in these kernels, and from what they start next. A kernel started while the server held the token keeps it in its initial process environment (/proc/<pid>/environ, readable by your other processes): a running process cannot change that. Restarting the kernel clears it; its variables are lost.'
  );
}

/**
 * "Use for new kernels and terminals" (the token held in the Jupyter server's
 * memory) and, after Forget, the running kernels that still hold it.
 */
export function ServerSection({ model, trans }: IStepProps): JSX.Element {
  const [error, setError] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const server = model.server;
  const holders = model.kernelsHoldingToken;
  const toRestart = model.kernelsToRestart;
  const terminals = model.terminalsHoldingToken;
  const names = model.settings.environmentVariables.join(', ');
  const host = model.serverTokenHost;
  const restartButton = model.canRestartKernels && (
    <button
      type="button"
      className="jp-Button jp-mod-styled jp-mod-warn"
      disabled={model.restartBusy}
      onClick={() => void model.restartKernels()}
    >
      {model.restartBusy ? trans.__('Restarting…') : trans.__('Restart these kernels')}
    </button>
  );

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
          {trans.__(
            'The jupyterlab_github_token server extension is not enabled on this Jupyter server, so new kernels and terminals cannot receive the token.'
          )}
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
                {trans.__(
                  'Every kernel and terminal started from now on gets %1, and git over HTTPS to %2 uses it. The server keeps it in memory only: a server restart forgets it.',
                  names,
                  server.gitHosts.join(', ') || 'GitHub'
                )}
              </span>
            </span>
          </label>
          {server.held && (
            <p className="jp-GitHubToken-success" data-testid="server-held">
              {host
                ? trans.__(
                    'The server holds %1%2 for %3 only: new kernels and terminals use it with that host.',
                    server.masked ?? '',
                    server.login ? trans.__(' (%1)', server.login) : '',
                    host
                  )
                : trans.__(
                    'The server holds %1%2.',
                    server.masked ?? '',
                    server.login ? trans.__(' (%1)', server.login) : ''
                  )}
            </p>
          )}
          {model.serverTokenForOtherHost && (
            <p className="jp-GitHubToken-warning" data-testid="server-other-host">
              {trans.__(
                'The token the server holds is for %1, not for the GitHub API in your settings (%2).',
                host,
                model.apiHost
              )}
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
          <p className="jp-GitHubToken-hint">{initialEnvironmentNote(trans)}</p>
          <div className="jp-GitHubToken-actions">
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-warn"
              onClick={() => void model.clearKernels()}
            >
              {trans.__('Clear it from these kernels')}
            </button>
            {restartButton}
          </div>
        </div>
      )}
      {toRestart.length > 0 && holders.length === 0 && (
        <div className="jp-GitHubToken-holders" data-testid="kernels-restart">
          <p>
            {trans._n(
              'Cleared from os.environ of %1 kernel. Its process still has the token in its initial environment (/proc/<pid>/environ) if it was started with it, and may keep copies in memory: a running process cannot change that. Only a restart clears it.',
              'Cleared from os.environ of %1 kernels. Their processes still have the token in their initial environment (/proc/<pid>/environ) if they were started with it, and may keep copies in memory: a running process cannot change that. Only a restart clears it.',
              toRestart.length
            )}
          </p>
          <ul>
            {model.kernelsToRestartLabels.map((label, i) => (
              <li key={i}>{label}</li>
            ))}
          </ul>
          {restartButton}
        </div>
      )}
      {terminals.length > 0 && (
        <div className="jp-GitHubToken-holders" data-testid="terminals-holding">
          <p>
            {trans._n(
              '%1 running terminal was started while the server held the token: its shell, and what it runs, still have it in their environment. Closing the terminal clears it (what runs in it stops).',
              '%1 running terminals were started while the server held the token: their shells, and what they run, still have it in their environment. Closing the terminals clears it (what runs in them stops).',
              terminals.length
            )}
          </p>
          <ul>
            {terminals.map(name => (
              <li key={name}>{trans.__('Terminal %1', name)}</li>
            ))}
          </ul>
          {model.canCloseTerminals && (
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-warn"
              onClick={() => void model.closeTerminals()}
            >
              {trans.__('Close these terminals')}
            </button>
          )}
          {model.terminalError && (
            <p className="jp-GitHubToken-error" role="alert">
              {model.terminalError}
            </p>
          )}
        </div>
      )}
    </div>
  );
}

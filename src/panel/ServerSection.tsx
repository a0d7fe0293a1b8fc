import * as React from 'react';
import type { Trans } from '../i18n';
import { urlHost } from '../github/apiBaseUrl';
import type { IStepProps } from './TokenPanel';
import { RouteNote } from './RouteNote';
import { otherForNewKernels } from './otherForNewKernels';

/** Why clearing os.environ is not the whole story, said plainly. */
function initialEnvironmentNote(trans: Trans): string {
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
  // While a remember change is on its way to the server, the box shows what was asked for.
  const [askedRemember, setAskedRemember] = React.useState<boolean | null>(null);
  const server = model.server;
  const held = model.held;
  const keychain = model.keychain;
  const holders = model.kernelsHoldingToken;
  const toRestart = model.kernelsToRestart;
  const terminals = model.terminalsHoldingToken;
  const names = model.settings.environmentVariables.join(', ');
  const forNewKernels = model.usedForNewKernels;
  // New kernels get the token held for another API than the one in the settings.
  const otherEntry = otherForNewKernels(server, model.settings.apiBaseUrl);
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

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(await action());
    setBusy(false);
  };
  const rememberAvailable = !!keychain?.available;
  // A held token says whether it is in the keychain; the setting is for the next one.
  const remembered = rememberAvailable && (askedRemember ?? (held ? held.remembered : model.remember));

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
      <RouteNote model={model} trans={trans} />
      {server && (
        <>
          <label className="jp-GitHubToken-choice">
            <input
              type="checkbox"
              role="switch"
              checked={forNewKernels}
              aria-checked={forNewKernels}
              disabled={busy || (!forNewKernels && !model.hasToken)}
              onChange={e => {
                const on = e.currentTarget.checked;
                void run(() => model.useForNewKernels(on));
              }}
            />
            <span>
              <span className="jp-GitHubToken-choiceLabel">{trans.__('Use for new kernels and terminals')}</span>
              <span className="jp-GitHubToken-hint">
                {trans.__(
                  'Every kernel and terminal started from now on gets %1, and git over HTTPS to %2 uses it.',
                  names,
                  held?.gitHosts.join(', ') || urlHost(model.settings.webBaseUrl)
                )}
              </span>
            </span>
          </label>
          {forNewKernels && held && (
            <p className="jp-GitHubToken-success" data-testid="server-held">
              {trans.__(
                'New kernels and terminals get %1%2, for %3 only.',
                held.masked,
                held.login ? trans.__(' (%1)', held.login) : '',
                urlHost(held.apiBaseUrl)
              )}
            </p>
          )}
          {otherEntry && (
            <p className="jp-GitHubToken-warning" data-testid="server-other-host">
              {trans.__(
                'New kernels and terminals get the token held for %1, not the one for the GitHub API in your settings (%2).',
                urlHost(otherEntry.apiBaseUrl),
                model.apiHost
              )}
            </p>
          )}
          <label className="jp-GitHubToken-choice">
            <input
              id="jp-github-token-remember"
              type="checkbox"
              checked={remembered}
              disabled={busy || !rememberAvailable}
              aria-describedby="jp-github-token-remember-hint"
              onChange={e => {
                const on = e.currentTarget.checked;
                setAskedRemember(on);
                void run(() => model.setRemember(on)).finally(() => setAskedRemember(null));
              }}
            />
            <span>
              <span className="jp-GitHubToken-choiceLabel">{trans.__('Remember on this computer')}</span>
              <span id="jp-github-token-remember-hint" className="jp-GitHubToken-hint">
                {rememberAvailable ? (
                  keychain?.backend ? (
                    trans.__(
                      "Keeps the token in this computer's keychain (%1), so that it is back after a server restart. Forget removes it from there too.",
                      keychain.backend
                    )
                  ) : (
                    trans.__(
                      "Keeps the token in this computer's keychain, so that it is back after a server restart. Forget removes it from there too."
                    )
                  )
                ) : (
                  <span data-testid="remember-reason">{keychain?.reason ?? ''}</span>
                )}
              </span>
            </span>
          </label>
          {!held && (
            <p className="jp-GitHubToken-hint">
              {trans.__('The server keeps a verified token in its memory only unless it is remembered.')}
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

import * as React from 'react';
import type { IStepProps } from './TokenPanel';
import { WriteResult } from './WriteResult';
import { NotebookFieldSection } from './NotebookFieldSection';
import { ServerSection } from './ServerSection';
import { UseInNotebook } from './UseInNotebook';

/** Step 4: deliver the token to the active notebook (one button), or each way on its own below. */
export function UseStep({ model, trans }: IStepProps): JSX.Element {
  const names = model.settings.environmentVariables;
  const state = model.kernelWriteState;
  const held = model.held;
  if (!model.hasToken) {
    return (
      <div className="jp-GitHubToken-use">
        <p>{trans.__('No token yet: paste and verify one first.')}</p>
        <button type="button" className="jp-Button jp-mod-styled jp-mod-accept" onClick={() => model.goTo('verify')}>
          {trans.__('Go to Paste & verify')}
        </button>
        <ServerSection model={model} trans={trans} />
      </div>
    );
  }
  return (
    <div className="jp-GitHubToken-use">
      <p>
        {held
          ? held.remembered
            ? trans.__('Token %1 is held by this Jupyter server and remembered on this computer.', held.masked)
            : trans.__('Token %1 is held by this Jupyter server, for every tab of it.', held.masked)
          : trans.__('Token %1 is held in this browser tab only.', model.masked)}
        {!held && model.verifyState.status !== 'done' && ' ' + trans.__('It has not been verified yet.')}
      </p>
      <UseInNotebook model={model} trans={trans} />
      <h4>{trans.__('Kernel environment')}</h4>
      <p>
        {trans.__(
          'Write it to the environment of the active notebook\'s kernel as %1. Code can then read it, e.g. os.environ["%2"].',
          names.join(', '),
          names[0]
        )}
      </p>
      <button
        type="button"
        className="jp-Button jp-mod-styled"
        disabled={state.status === 'writing'}
        onClick={() => void model.writeToKernel()}
      >
        {state.status === 'writing' ? trans.__('Writing…') : trans.__('Write to kernel environment')}
      </button>
      <div aria-live="polite" data-testid="kernel-write-result">
        {state.status === 'done' && <WriteResult result={state.result} />}
      </div>
      <NotebookFieldSection model={model} trans={trans} />
      <ServerSection model={model} trans={trans} />
      <p className="jp-GitHubToken-hint">
        {held
          ? trans.__(
              'Nothing is written to disk, settings or the notebook unless you put the token in a cell (the keychain holds it only if you chose Remember). The kernel keeps the variables until it is restarted or shut down; Forget clears the token from the server and every tab.'
            )
          : trans.__(
              'Nothing is written to disk, settings or the notebook unless you put the token in a cell. The kernel keeps the variables until it is restarted or shut down, even if this tab is closed; Forget clears the token from this tab only.'
            )}
      </p>
    </div>
  );
}

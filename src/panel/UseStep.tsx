import * as React from 'react';
import type { IStepProps } from './TokenPanel';
import { WriteResult } from './WriteResult';
import { NotebookFieldSection } from './NotebookFieldSection';
import { ServerSection } from './ServerSection';

/** Step 4: deliver the token to the active notebook's kernel. */
export function UseStep({ model, trans }: IStepProps): JSX.Element {
  const names = model.settings.environmentVariables;
  const state = model.kernelWriteState;
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
        {trans.__('Token %1 is held in this browser tab only.', model.masked)}
        {model.verifyState.status !== 'done' && ' ' + trans.__('It has not been verified yet.')}
      </p>
      <p>
        {trans.__(
          'Write it to the environment of the active notebook\'s kernel as %1. Code can then read it, e.g. os.environ["%2"].',
          names.join(', '),
          names[0]
        )}
      </p>
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-accept"
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
        {trans.__(
          'Nothing is written to disk, settings or the notebook unless you put the token in a cell. The kernel keeps the variables until it is restarted or shut down, even if this tab is closed; Forget clears the token from this tab only.'
        )}
      </p>
    </div>
  );
}

import * as React from 'react';
import type { IStepProps } from './TokenPanel';
import { WriteResult } from './WriteResult';

/**
 * "Use in this notebook": one button for what the active notebook needs, its
 * kernel's environment and, when it shows a token field, that field. With
 * several fields, the picker of the notebook field section takes over.
 */
export function UseInNotebook({ model, trans }: IStepProps): JSX.Element {
  const state = model.useState;
  const working = state.status === 'working';
  return (
    <div className="jp-GitHubToken-useInNotebook">
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-accept"
        disabled={working}
        onClick={() => void model.useInNotebook()}
      >
        {working ? trans.__('Putting it in the notebook…') : trans.__('Use in this notebook')}
      </button>
      <div aria-live="polite" data-testid="use-result">
        {state.status === 'done' && (
          <>
            <WriteResult result={state.result.kernel} />
            {state.result.field ? (
              <WriteResult result={state.result.field} />
            ) : (
              // Without a notebook the kernel's line already says so.
              state.result.kernel.problem !== 'no-notebook' && (
                <p className="jp-GitHubToken-hint">{trans.__('The notebook shows no token field.')}</p>
              )
            )}
            {model.fieldState.status === 'choose' &&
              (model.step === 'use' ? (
                <p className="jp-GitHubToken-hint">
                  {trans.__('Several fields could take the token: pick one below.')}
                </p>
              ) : (
                <button type="button" className="jp-Button jp-mod-styled" onClick={() => model.goTo('use')}>
                  {trans.__('Pick the field')}
                </button>
              ))}
          </>
        )}
      </div>
    </div>
  );
}

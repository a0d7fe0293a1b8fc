import * as React from 'react';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { Trans } from '../i18n';
import { describeCandidate } from '../notebook/describe';
import type { FieldCandidate } from '../notebook/fieldWriter';
import type { IStepProps } from './TokenPanel';
import { WriteResult } from './WriteResult';

/** Ask before the token goes into a cell's source (and so into the saved file). */
async function confirmLiteral(candidate: FieldCandidate, trans: Trans): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Put the token into the notebook?'),
    body: trans.__(
      'The token will be written into %1 as text. It will be saved to disk with the notebook, and end up in its checkpoints, copies, exports and commits: anyone who can read the file can use your GitHub account. Reading it from the environment keeps it out of the file.',
      describeCandidate(candidate, trans)
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Put it in the cell') })
    ]
  });
  return result.button.accept;
}

/** The notebook's GitHub-token field: find it, let the user pick, fill it. */
export function NotebookFieldSection({ model, trans }: IStepProps): JSX.Element {
  const state = model.fieldState;
  const fieldName = model.settings.notebookFieldName;
  return (
    <div className="jp-GitHubToken-field">
      <h4>{trans.__('Notebook field')}</h4>
      <p>
        {trans.__(
          'Fill the active notebook\'s "%1" field: an ipywidgets password field (run the cell that shows the form first), or a cell such as github_token = "", which is changed to read the environment.',
          fieldName
        )}
      </p>
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-accept"
        disabled={model.fieldBusy}
        onClick={() => void model.writeToNotebookField()}
      >
        {state.status === 'searching'
          ? trans.__('Searching…')
          : state.status === 'writing'
            ? trans.__('Writing…')
            : trans.__('Write to notebook field')}
      </button>
      <div aria-live="polite" data-testid="notebook-field-result">
        {state.status === 'done' && <WriteResult result={state.result} />}
        {state.status === 'choose' && (
          <>
            <p>{trans.__('Several fields could take the token. Pick one:')}</p>
            <ul className="jp-GitHubToken-candidates" data-testid="notebook-field-candidates">
              {state.candidates.map(candidate => {
                const label = describeCandidate(candidate, trans);
                const key = candidate.kind === 'widget' ? candidate.id : `${candidate.cellIndex}:${candidate.line}`;
                return (
                  <li key={key}>
                    <span className="jp-GitHubToken-candidate-label">{label}</span>
                    {candidate.kind === 'widget' ? (
                      <button
                        type="button"
                        className="jp-Button jp-mod-styled"
                        aria-label={trans.__('Fill %1', label)}
                        onClick={() => void model.fillField(candidate)}
                      >
                        {trans.__('Fill')}
                      </button>
                    ) : (
                      <>
                        <button
                          type="button"
                          className="jp-Button jp-mod-styled"
                          aria-label={trans.__('Read from the environment: %1', label)}
                          onClick={() => void model.fillField(candidate, 'env')}
                        >
                          {trans.__('Read from the environment')}
                        </button>
                        {candidate.current !== 'env' && (
                          <button
                            type="button"
                            className="jp-Button jp-mod-styled jp-mod-warn"
                            aria-label={trans.__('Put the token in the cell: %1', label)}
                            onClick={async () => {
                              if (await confirmLiteral(candidate, trans)) {
                                await model.fillField(candidate, 'literal');
                              }
                            }}
                          >
                            {trans.__('Put the token in the cell…')}
                          </button>
                        )}
                      </>
                    )}
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </div>
    </div>
  );
}

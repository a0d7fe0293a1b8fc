import * as React from 'react';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import type { Trans } from '../i18n';
import { keyIcon } from '../icons';
import { GitHubTokenModel, STEPS, Step } from '../model/tokenModel';
import { AccessStep } from './AccessStep';
import { CreateStep } from './CreateStep';
import { VerifyStep } from './VerifyStep';
import { UseStep } from './UseStep';
import { SignedIn } from './SignedIn';

export interface IStepProps {
  model: GitHubTokenModel;
  trans: Trans;
}

function stepLabel(step: Step, trans: Trans): string {
  switch (step) {
    case 'access':
      return trans.__('Choose access');
    case 'create':
      return trans.__('Create the token');
    case 'verify':
      return trans.__('Paste & verify');
    case 'use':
      return trans.__('Use it');
  }
}

/** The panel's content for the model's current state (exported for the unit tests). */
export function PanelView({ model, trans }: IStepProps): JSX.Element {
  const headingRef = React.useRef<HTMLHeadingElement>(null);
  const rootRef = React.useRef<HTMLDivElement>(null);
  const index = STEPS.indexOf(model.step);
  const held = model.held;

  React.useEffect(() => {
    const onFocus = () => {
      if (!model.takeFocusRequest()) {
        return;
      }
      // After the command palette (or whatever ran the command) has closed.
      requestAnimationFrame(() => {
        const input = rootRef.current?.querySelector<HTMLInputElement>('#jp-github-token-input');
        (input ?? headingRef.current)?.focus();
      });
    };
    model.focusRequested.connect(onFocus);
    onFocus();
    return () => {
      model.focusRequested.disconnect(onFocus);
    };
  }, [model]);

  const goTo = (step: Step) => {
    model.step = step;
    // Move focus to the new step's heading so keyboard users land on it.
    requestAnimationFrame(() => headingRef.current?.focus());
  };
  const forget = () => {
    model.forget();
    // The Forget button disappears: keep focus in the panel.
    requestAnimationFrame(() => headingRef.current?.focus());
  };

  let body: JSX.Element;
  switch (model.step) {
    case 'access':
      body = <AccessStep model={model} trans={trans} />;
      break;
    case 'create':
      body = <CreateStep model={model} trans={trans} />;
      break;
    case 'verify':
      body = <VerifyStep model={model} trans={trans} />;
      break;
    case 'use':
      body = <UseStep model={model} trans={trans} />;
      break;
  }

  return (
    <div className="jp-GitHubToken-content" ref={rootRef}>
      <header className="jp-GitHubToken-header">
        <span aria-hidden="true">
          <keyIcon.react tag="span" className="jp-GitHubToken-headerIcon" />
        </span>
        <h2 className="jp-GitHubToken-title">{trans.__('GitHub token')}</h2>
        {!held && model.hasToken && (
          <span className="jp-GitHubToken-held" title={trans.__('Held in this browser tab only')}>
            {model.masked}
          </span>
        )}
      </header>
      {held && <SignedIn held={held} model={model} trans={trans} onForget={forget} />}
      {model.verificationRoute === 'no-extension' && (
        <p className="jp-GitHubToken-hint" data-testid="page-only">
          {trans.__(
            'The token lives only in the memory of this browser tab: the jupyterlab_github_token server extension is not enabled on this Jupyter server, so another tab or a reload does not have it, and new kernels and terminals do not get it.'
          )}
        </p>
      )}
      <nav aria-label={trans.__('Steps')}>
        <ol className="jp-GitHubToken-stepper">
          {STEPS.map((step, i) => (
            <li key={step}>
              <button
                type="button"
                className="jp-GitHubToken-stepButton"
                aria-current={step === model.step ? 'step' : undefined}
                data-step={step}
                onClick={() => goTo(step)}
              >
                <span className="jp-GitHubToken-stepNumber" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="jp-GitHubToken-stepLabel">{stepLabel(step, trans)}</span>
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <section className="jp-GitHubToken-step" aria-labelledby="jp-github-token-step-heading">
        <h3 id="jp-github-token-step-heading" tabIndex={-1} ref={headingRef}>
          {trans.__('Step %1 of %2: %3', index + 1, STEPS.length, stepLabel(model.step, trans))}
        </h3>
        {body}
      </section>
      <footer className="jp-GitHubToken-footer">
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={index === 0}
          onClick={() => goTo(STEPS[index - 1])}
        >
          {trans.__('Back')}
        </button>
        {model.hasDraft && !held && (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-warn"
            onClick={forget}
            title={trans.__('Clear the token from this browser tab')}
          >
            {trans.__('Forget')}
          </button>
        )}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={index === STEPS.length - 1}
          onClick={() => goTo(STEPS[index + 1])}
        >
          {trans.__('Next')}
        </button>
      </footer>
    </div>
  );
}

/**
 * The React view of the guided flow, placed inside the sidebar panel. It
 * re-renders on the model's `stateChanged` through `UseSignal`, not as a
 * `VDomRenderer`: that one renders on the next animation frame, after React has
 * put the controlled repository input back to its old value, so a key typed
 * before that frame is lost. `UseSignal` sets React state within the event.
 * The model is shared with the commands and outlives the view: not disposed here.
 */
export class GitHubTokenView extends ReactWidget {
  constructor(model: GitHubTokenModel, trans: Trans) {
    super();
    this._model = model;
    this._trans = trans;
    this.addClass('jp-GitHubToken-view');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this._model.stateChanged}>
        {() => <PanelView model={this._model} trans={this._trans} />}
      </UseSignal>
    );
  }

  private _model: GitHubTokenModel;
  private _trans: Trans;
}

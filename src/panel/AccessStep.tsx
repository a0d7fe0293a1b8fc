import * as React from 'react';
import type { IStepProps } from './TokenPanel';
import type { AccessLevel } from '../github/scopes';
import type { TokenType } from '../github/tokenPages';
import { newTokenPage } from './CreateStep';

/**
 * Step 1: what the token must allow, which kind of token to create, and the
 * short way on: GitHub's pre-filled page (then straight to pasting it), or
 * straight to pasting a token the user already has.
 */
export function AccessStep({ model, trans }: IStepProps): JSX.Element {
  const { accessLevel, tokenType } = model.settings;
  const page = newTokenPage(model.settings, trans);
  const create = () => {
    // noopener: GitHub's page gets no handle on JupyterLab's window.
    window.open(page.url, '_blank', 'noopener');
    model.goTo('verify');
  };
  const accessOptions: { value: AccessLevel; label: string; hint: string }[] = [
    {
      value: 'read-write',
      label: trans.__('Read & write'),
      hint: trans.__('Clone, pull and push your public and private repositories (classic scope repo).')
    },
    {
      value: 'read-write-public',
      label: trans.__('Read & write, public repositories only'),
      hint: trans.__('Push to public repositories only (classic scope public_repo).')
    },
    {
      value: 'read-only',
      label: trans.__('Read-only'),
      hint: trans.__('Clone and read, never push. Best with a fine-grained token (Contents: read-only).')
    }
  ];
  const typeOptions: { value: TokenType; label: string; hint: string }[] = [
    {
      value: 'classic',
      label: trans.__('Classic token'),
      hint: trans.__("GitHub's classic guide: one token for every repository you can access.")
    },
    {
      value: 'fine-grained',
      label: trans.__('Fine-grained token'),
      hint: trans.__('Limited to the repositories and permissions you choose; some organizations require it.')
    }
  ];
  return (
    <div className="jp-GitHubToken-access">
      <fieldset>
        <legend>{trans.__('What should notebooks be able to do?')}</legend>
        {accessOptions.map(o => (
          <label key={o.value} className="jp-GitHubToken-choice">
            <input
              type="radio"
              name="jp-github-token-access"
              value={o.value}
              checked={accessLevel === o.value}
              onChange={() => void model.choose('accessLevel', o.value)}
            />
            <span>
              <span className="jp-GitHubToken-choiceLabel">{o.label}</span>
              <span className="jp-GitHubToken-hint">{o.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{trans.__('Token type')}</legend>
        {typeOptions.map(o => (
          <label key={o.value} className="jp-GitHubToken-choice">
            <input
              type="radio"
              name="jp-github-token-type"
              value={o.value}
              checked={tokenType === o.value}
              onChange={() => void model.choose('tokenType', o.value)}
            />
            <span>
              <span className="jp-GitHubToken-choiceLabel">{o.label}</span>
              <span className="jp-GitHubToken-hint">{o.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {accessLevel === 'read-only' && tokenType === 'classic' && (
        <p className="jp-GitHubToken-note" role="note">
          {trans.__(
            'Classic tokens cannot be limited to reading private repositories. For read-only access to private repositories, choose a fine-grained token.'
          )}
        </p>
      )}
      <div className="jp-GitHubToken-actions">
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={!page.url}
          aria-describedby={page.url ? undefined : 'jp-github-token-page-error'}
          onClick={create}
        >
          {trans.__('Create token on GitHub')}
        </button>
        <button type="button" className="jp-Button jp-mod-styled" onClick={() => model.goTo('verify')}>
          {trans.__('I already have a token')}
        </button>
      </div>
      {page.error && (
        <p id="jp-github-token-page-error" className="jp-GitHubToken-error" role="alert">
          {page.error}
        </p>
      )}
      <p className="jp-GitHubToken-hint">
        {trans.__('GitHub opens in a new window with the form filled in; copy the token it shows, then paste it here.')}{' '}
        <button type="button" className="jp-GitHubToken-textButton" onClick={() => model.goTo('create')}>
          {trans.__('Show each step on GitHub')}
        </button>
      </p>
    </div>
  );
}

import * as React from 'react';
import type { Trans } from '../i18n';
import type { IGitHubTokenSettings } from '../settings';
import type { IStepProps } from './TokenPanel';
import { guideItems } from '../github/guideSteps';
import { newTokenUrl } from '../github/tokenPages';
import { urlHost } from '../github/apiBaseUrl';

/**
 * GitHub's new-token page, pre-filled for the current choices: the one URL
 * both the access step's shortcut and this step open. `error` says why there
 * is none (the web base URL setting is unusable).
 */
export function newTokenPage(s: Readonly<IGitHubTokenSettings>, trans: Trans): { url: string; error: string } {
  try {
    const url = newTokenUrl(s.webBaseUrl, {
      tokenType: s.tokenType,
      access: s.accessLevel,
      name: s.tokenName,
      description: s.tokenType === 'classic' ? s.tokenName : s.tokenDescription,
      expiresInDays: s.expirationDays
    });
    return { url, error: '' };
  } catch {
    return {
      url: '',
      error: trans.__(
        'The web base URL setting "%1" is not an http(s) URL; fix it in Settings → GitHub token.',
        s.webBaseUrl
      )
    };
  }
}

/** Step 2: the click-by-click path on GitHub, and a pre-filled new-token page. */
export function CreateStep({ model, trans }: IStepProps): JSX.Element {
  const s = model.settings;
  const items = guideItems(
    {
      tokenType: s.tokenType,
      access: s.accessLevel,
      tokenName: s.tokenName,
      expirationDays: s.expirationDays,
      webHost: urlHost(s.webBaseUrl)
    },
    trans
  );
  const { url, error: urlError } = newTokenPage(s, trans);
  const done = items.filter(i => model.isChecked(i.id)).length;
  return (
    <div className="jp-GitHubToken-create">
      <p>
        {s.tokenType === 'classic'
          ? trans.__('Open the pre-filled page, or follow the steps by hand. Tick each step as you go.')
          : trans.__(
              'Open the pre-filled page (name, expiration and Contents permission are set), then choose the repositories.'
            )}
      </p>
      {url ? (
        <a
          className="jp-GitHubToken-linkButton jp-mod-styled"
          href={url}
          target="_blank"
          rel="noopener noreferrer"
          data-testid="open-new-token-page"
        >
          {trans.__("Open GitHub's new-token page")}
        </a>
      ) : (
        <p className="jp-GitHubToken-error" role="alert">
          {urlError}
        </p>
      )}
      <ol className="jp-GitHubToken-checklist" aria-label={trans.__('Steps on GitHub')}>
        {items.map(item => (
          <li key={item.id}>
            <label>
              <input
                type="checkbox"
                checked={model.isChecked(item.id)}
                onChange={() => model.toggleChecklistItem(item.id)}
              />
              <span>
                {item.text}
                {item.hint && <span className="jp-GitHubToken-hint">{item.hint}</span>}
              </span>
            </label>
          </li>
        ))}
      </ol>
      <p className="jp-GitHubToken-progress" aria-live="polite">
        {trans.__('%1 of %2 steps done', done, items.length)}
      </p>
    </div>
  );
}

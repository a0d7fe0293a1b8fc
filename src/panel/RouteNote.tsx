import * as React from 'react';
import type { IStepProps } from './TokenPanel';

/**
 * How Verify reaches GitHub, and so where the token can live. "Not allowed"
 * is not "no extension": the extension is there, the API URL is not on its
 * list, and the trait to set is named.
 */
export function RouteNote({ model, trans }: IStepProps): JSX.Element | null {
  const route = model.verificationRoute;
  let text: string;
  switch (route) {
    case 'server':
      text = trans.__(
        'Verification goes through the Jupyter server, which then holds the token for every tab of this server.'
      );
      break;
    case 'not-allowed':
      text = trans.__(
        'The server extension is enabled, but the API URL %1 is not in its allowed list, so the token is verified from this tab and stays in its memory only. To let the server verify and hold it, add the URL to c.GitHubTokenExtension.allowed_api_base_urls and restart the server.',
        model.settings.apiBaseUrl
      );
      break;
    default:
      // No extension: the panel's header says so once; unknown: not asked yet.
      return null;
  }
  return (
    <p
      className={route === 'not-allowed' ? 'jp-GitHubToken-note' : 'jp-GitHubToken-hint'}
      data-testid="verification-route"
      data-route={route}
    >
      {text}
    </p>
  );
}

/**
 * The click-by-click path through GitHub's settings for each token type and
 * access level, as shown in the "Create the token" step.
 */
import type { Trans } from '../i18n';
import type { AccessLevel } from './scopes';
import { requiredScopes } from './scopes';
import type { TokenType } from './tokenPages';

/** One checkable instruction. `code` marks names the user sees on GitHub. */
export interface IGuideItem {
  id: string;
  text: string;
  /** Extra explanation shown below the instruction. */
  hint?: string;
}

export interface IGuideOptions {
  tokenType: TokenType;
  access: AccessLevel;
  tokenName: string;
  expirationDays: number;
  webHost: string;
}

/** The instructions for creating a token, in order. */
export function guideItems(options: IGuideOptions, trans: Trans): IGuideItem[] {
  const { tokenType, access, tokenName, expirationDays, webHost } = options;
  const common: IGuideItem[] = [
    { id: 'sign-in', text: trans.__('Sign in to %1 in your browser.', webHost) },
    { id: 'profile', text: trans.__('Click your profile picture (top right), then Settings.') },
    { id: 'developer', text: trans.__('At the bottom of the left sidebar, click Developer settings.') }
  ];
  if (tokenType === 'classic') {
    const scopes = requiredScopes(access);
    const scopeItem: IGuideItem =
      scopes.length > 0
        ? {
            id: 'scopes',
            text: trans.__('Under Select scopes, tick %1 and nothing else.', scopes.join(', ')),
            hint:
              access === 'read-write'
                ? trans.__(
                    'repo gives read and write access to your public and private repositories. Also tick workflow if you push changes to .github/workflows files.'
                  )
                : trans.__(
                    'public_repo gives read and write access to public repositories only. Also tick workflow if you push changes to .github/workflows files.'
                  )
          }
        : {
            id: 'scopes',
            text: trans.__('Leave every scope unticked.'),
            hint: trans.__(
              'A classic token without scopes reads public repositories only. Classic tokens cannot be read-only for private repositories: choose a fine-grained token for that.'
            )
          };
    return [
      ...common,
      { id: 'tokens', text: trans.__('Click Personal access tokens, then Tokens (classic).') },
      { id: 'generate', text: trans.__('Click Generate new token, then Generate new token (classic).') },
      {
        id: 'name',
        text: trans.__(
          'In Note, type a name you will recognise, e.g. "%1"; set Expiration, e.g. %2 days.',
          tokenName,
          expirationDays
        )
      },
      scopeItem,
      { id: 'create', text: trans.__('Click Generate token at the bottom of the page.') },
      {
        id: 'copy',
        text: trans.__('Copy the token now: GitHub shows it only once.'),
        hint: trans.__('Paste it only into the next step, never into a notebook cell.')
      }
    ];
  }
  return [
    ...common,
    { id: 'tokens', text: trans.__('Click Personal access tokens, then Fine-grained tokens.') },
    { id: 'generate', text: trans.__('Click Generate new token.') },
    {
      id: 'name',
      text: trans.__(
        'Enter Token name "%1", choose an Expiration (e.g. %2 days) and the Resource owner that owns the repositories.',
        tokenName,
        expirationDays
      )
    },
    {
      id: 'repositories',
      text: trans.__('Under Repository access, choose Only select repositories and pick the ones your notebooks use.')
    },
    {
      id: 'permissions',
      text:
        access === 'read-only'
          ? trans.__('Under Permissions → Repository permissions, set Contents to Read-only.')
          : trans.__('Under Permissions → Repository permissions, set Contents to Read and write.'),
      hint: trans.__('Metadata (read-only) is added automatically.')
    },
    { id: 'create', text: trans.__('Click Generate token.') },
    {
      id: 'copy',
      text: trans.__('Copy the token now: GitHub shows it only once.'),
      hint: trans.__('Paste it only into the next step, never into a notebook cell.')
    }
  ];
}

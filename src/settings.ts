import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { AccessLevel } from './github/scopes';
import type { TokenType } from './github/tokenPages';
import { API_BASE_URL_POLICY, ENV_NAME_POLICY } from './policy/policy';

/** The extension's settings (schema/plugin.json). The token itself is never a setting. */
export interface IGitHubTokenSettings {
  accessLevel: AccessLevel;
  tokenType: TokenType;
  tokenName: string;
  tokenDescription: string;
  expirationDays: number;
  expiryWarningDays: number;
  environmentVariables: string[];
  apiBaseUrl: string;
  webBaseUrl: string;
  defaultRepository: string;
  notebookFieldName: string;
  leakGuard: boolean;
  requestTimeoutSeconds: number;
  /** Also store a verified token in the OS keychain (through the server extension). */
  rememberOnThisComputer: boolean;
  /** What to do when a notebook displays a token field and a token is held. */
  fillNotebookFields: FillNotebookFields;
}

/** The choices of `fillNotebookFields`: ask with a notification, fill at once, or leave fields alone. */
export type FillNotebookFields = 'ask' | 'always' | 'never';

/** The settings the model may save itself (non-secret choices). */
export type SavedSettingKey = 'accessLevel' | 'tokenType' | 'rememberOnThisComputer';

/** Defaults, identical to the schema's (test/python/test_policy.py checks the policy's); used until the registry has loaded. */
export const DEFAULT_SETTINGS: Readonly<IGitHubTokenSettings> = Object.freeze({
  accessLevel: 'read-write',
  tokenType: 'classic',
  tokenName: 'JupyterLab',
  tokenDescription: 'Used from JupyterLab notebooks to read and push repositories.',
  expirationDays: 30,
  expiryWarningDays: 7,
  environmentVariables: [...ENV_NAME_POLICY.defaults],
  apiBaseUrl: API_BASE_URL_POLICY.default,
  webBaseUrl: 'https://github.com',
  defaultRepository: '',
  notebookFieldName: 'GitHub-token',
  leakGuard: true,
  requestTimeoutSeconds: 15,
  rememberOnThisComputer: false,
  fillNotebookFields: 'ask'
});

/**
 * `values` completed with the defaults: the registry's composite (which
 * holds every value the schema defines), or what is known before it loaded.
 */
export function withDefaults(values: Partial<IGitHubTokenSettings> | null | undefined): IGitHubTokenSettings {
  return { ...DEFAULT_SETTINGS, ...values };
}

/**
 * Read the composite settings into a typed object. The schema's choices are
 * `oneOf` lists of `const` values: the composite holds the chosen constant.
 */
export function readSettings(settings: ISettingRegistry.ISettings | null): IGitHubTokenSettings {
  return withDefaults(settings?.composite as Partial<IGitHubTokenSettings> | undefined);
}

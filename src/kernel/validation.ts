/**
 * The allow-lists every input passes before kernel code is built from it:
 * the token, environment variable names, ipywidgets model ids and the
 * kernel's language.
 *
 * SECURITY: the token and the names end up inside source code executed by the
 * kernel, so they are refused here, before any code exists, unless they are
 * plain. The rules come from the one policy (src/policy/policy.json), which
 * the server's token_store.py reads too: both sides decide the same.
 */

import type { Trans } from '../i18n';
import {
  ENV_NAME_POLICY,
  TOKEN_POLICY,
  TOKEN_PREFIX_PATTERN,
  WIDGET_MODEL_ID_POLICY,
  wholeMatch
} from '../policy/policy';

/** Why kernel input was refused. */
export type UnsafeKernelInputReason =
  | 'token-empty'
  | 'token-characters'
  | 'token-length'
  | 'name-invalid'
  | 'name-duplicate'
  | 'no-names'
  | 'widget-invalid'
  | 'language';

/** Thrown when a token, variable name or language cannot be used safely. */
export class UnsafeKernelInputError extends Error {
  /** Machine-readable reason. */
  readonly reason: UnsafeKernelInputReason;

  constructor(reason: UnsafeKernelInputReason, message: string) {
    super(message);
    this.name = 'UnsafeKernelInputError';
    this.reason = reason;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/** Only token characters (the length is checked on its own, for its message). */
const TOKEN_CHARACTERS = wholeMatch(`${TOKEN_POLICY.charset}+`);

/** A plain environment variable name. */
const ENV_NAME = wholeMatch(ENV_NAME_POLICY.pattern);

/** A name that is a token itself: the user pasted the token into the name field. */
const TOKEN_LIKE_NAME = wholeMatch(`(?:${TOKEN_PREFIX_PATTERN}).*|${TOKEN_POLICY.legacy}`, 'i');

/**
 * Variables that must never receive a token: overwriting them breaks the
 * kernel or its subprocesses, or makes programs print their value (in error
 * messages, prompts, traces) or run it as a command: the dynamic loader
 * (`LD_PRELOAD`), git (`GIT_EDITOR`, `GIT_SSH_COMMAND`, `GIT_TRACE`), ssh
 * (`SSH_ASKPASS`), shells (`PS1`, `PROMPT_COMMAND`, `BASH_ENV`), the pagers,
 * editors and browsers git, `gh` or `man` start, and proxies, whose URL
 * appears in connection errors. Compared upper-cased.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set(ENV_NAME_POLICY.reserved.map(name => name.toUpperCase()));
const RESERVED_PREFIXES: readonly string[] = ENV_NAME_POLICY.reservedPrefixes.map(prefix => prefix.toUpperCase());

/**
 * Upper-cased, a name must read as a token variable: only these are accepted,
 * because a list of reserved names always has gaps.
 */
const TOKEN_VARIABLE_NAME = wholeMatch(ENV_NAME_POLICY.tokenVariable);

/** An ipywidgets model id (`uuid4().hex`). */
const MODEL_ID = wholeMatch(WIDGET_MODEL_ID_POLICY.pattern);

/** The languages code is generated for: `python`, `python3`, `ipython3`... */
const PYTHON_LANGUAGE = /^i?python[23]?$/i;

/** A language name the panel may repeat (`R`, `julia`, `C++`, `Wolfram Language`). */
const LANGUAGE_NAME = /^[A-Za-z][A-Za-z0-9 +#._-]{0,29}$/;

/**
 * Throw unless `token` is 1 to the policy's maximum characters of the token
 * character set. The error message never contains the token.
 */
export function assertSafeToken(token: string, trans: Trans): void {
  if (typeof token !== 'string' || token.length === 0) {
    throw new UnsafeKernelInputError('token-empty', trans.__('There is no token to send to the kernel.'));
  }
  if (token.length > TOKEN_POLICY.maxLength) {
    throw new UnsafeKernelInputError(
      'token-length',
      trans.__(
        'The token is %1 characters long; GitHub tokens have at most %2. It was not sent to the kernel.',
        token.length,
        TOKEN_POLICY.maxLength
      )
    );
  }
  if (!TOKEN_CHARACTERS.test(token)) {
    throw new UnsafeKernelInputError(
      'token-characters',
      trans.__(
        'The token contains characters GitHub never uses (only letters, digits and underscores are possible). It was not sent to the kernel.'
      )
    );
  }
}

/**
 * Throw unless `name` is a plain environment variable name that does not look
 * like a token, is not reserved (such as `PATH`, `HOME`, `LD_*`, `GIT_*`,
 * `EDITOR` or `HTTPS_PROXY`) and reads as a token variable (`GITHUB_TOKEN`,
 * `GH_TOKEN`, `GITHUB_PAT`...). The checks run in this order, as the server's.
 */
export function assertSafeEnvName(name: string, trans: Trans): void {
  if (typeof name !== 'string' || !ENV_NAME.test(name)) {
    throw new UnsafeKernelInputError(
      'name-invalid',
      trans.__(
        'Environment variable names must start with a letter or underscore and contain only letters, digits and underscores (at most 128 characters).'
      )
    );
  }
  if (TOKEN_LIKE_NAME.test(name)) {
    throw new UnsafeKernelInputError(
      'name-invalid',
      trans.__(
        'An environment variable name looks like a GitHub token: paste the token in the token field, and use a name such as GITHUB_TOKEN.'
      )
    );
  }
  const upper = name.toUpperCase();
  if (RESERVED_NAMES.has(upper) || RESERVED_PREFIXES.some(prefix => upper.startsWith(prefix))) {
    throw new UnsafeKernelInputError(
      'name-invalid',
      trans.__(
        'The environment variable %1 is used by the system or by Jupyter and cannot hold the token; choose another name such as GITHUB_TOKEN.',
        name
      )
    );
  }
  if (!TOKEN_VARIABLE_NAME.test(upper)) {
    throw new UnsafeKernelInputError(
      'name-invalid',
      trans.__(
        'The environment variable %1 does not look like a token variable: use a name that ends in TOKEN or PAT, such as GITHUB_TOKEN, GH_TOKEN or GITHUB_PAT.',
        name
      )
    );
  }
}

/**
 * Throw unless `names` is a non-empty list of at most the policy's maximum of
 * safe, distinct (case-insensitively, as on Windows) environment variable names.
 */
export function assertSafeEnvNames(names: readonly string[], trans: Trans): void {
  if (!Array.isArray(names) || names.length === 0) {
    throw new UnsafeKernelInputError('no-names', trans.__('Choose at least one environment variable for the token.'));
  }
  if (names.length > ENV_NAME_POLICY.maxNames) {
    throw new UnsafeKernelInputError(
      'name-invalid',
      trans.__('Use at most %1 environment variables.', ENV_NAME_POLICY.maxNames)
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    assertSafeEnvName(name, trans);
    const key = name.toUpperCase();
    if (seen.has(key)) {
      throw new UnsafeKernelInputError(
        'name-duplicate',
        trans.__('The environment variable %1 is listed twice.', name)
      );
    }
    seen.add(key);
  }
}

/**
 * Throw unless `ids` is a non-empty list of at most the policy's maximum of
 * distinct ipywidgets model ids.
 */
export function assertSafeModelIds(ids: readonly string[], trans: Trans): void {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > WIDGET_MODEL_ID_POLICY.maxIds) {
    throw new UnsafeKernelInputError(
      'widget-invalid',
      trans.__('Choose between 1 and %1 notebook fields.', WIDGET_MODEL_ID_POLICY.maxIds)
    );
  }
  if (ids.some(id => typeof id !== 'string' || !MODEL_ID.test(id)) || new Set(ids).size !== ids.length) {
    throw new UnsafeKernelInputError(
      'widget-invalid',
      trans.__(
        'The notebook field is not a widget this kernel created (its id is not an ipywidgets model id). Nothing was sent to the kernel.'
      )
    );
  }
}

/** Whether code can be generated for a kernel of this language (Python, case-insensitive). */
export function isSupportedKernelLanguage(language: string | undefined): boolean {
  return typeof language === 'string' && PYTHON_LANGUAGE.test(language.trim());
}

/**
 * The kernel's language as it may be shown to the user: its name when it
 * looks like one, otherwise "an unknown language". The name comes from the
 * kernel's info reply, so a broken or hostile kernel must not choose what the
 * panel says.
 */
export function describeKernelLanguage(language: string | undefined, trans: Trans): string {
  const name = typeof language === 'string' ? language.trim() : '';
  return LANGUAGE_NAME.test(name) ? name : trans.__('an unknown language');
}

/** Throw reason `language` unless the language is supported. */
export function assertSupportedLanguage(language: string | undefined, trans: Trans): void {
  if (!isSupportedKernelLanguage(language)) {
    throw new UnsafeKernelInputError(
      'language',
      trans.__('Only Python kernels are supported; this kernel runs %1.', describeKernelLanguage(language, trans))
    );
  }
}

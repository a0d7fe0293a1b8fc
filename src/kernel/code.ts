/**
 * Builds the code that delivers a token to a kernel's environment.
 *
 * SECURITY: the token ends up inside source code executed by the kernel.
 * Every input is validated against a strict allow-list BEFORE any code is
 * built, and the token is additionally escaped when it is turned into a
 * string literal (defence in depth). The generated code prints nothing,
 * displays nothing, cannot raise (so no traceback can quote the token) and
 * leaves no new names in the user's namespace.
 */

import { defaultTrans, Trans } from '../i18n';

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

/** Characters (and length) a token may have to be sent to a kernel. */
const SAFE_TOKEN = /^[A-Za-z0-9_]{1,255}$/;

/** Longest accepted token. */
const MAX_TOKEN_LENGTH = 255;

/** Environment variable names accepted. */
const SAFE_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Most environment variables that can be set at once. */
export const MAX_ENV_NAMES = 16;

/**
 * Variables that must never receive a token: overwriting them breaks the
 * kernel or its subprocesses, or makes programs print their value (in error
 * messages, prompts, traces) or run it as a command. Examples: the dynamic
 * loader with `LD_PRELOAD`; git with `GIT_EDITOR`, `GIT_SSH_COMMAND` or
 * `GIT_TRACE`; ssh with `SSH_ASKPASS`; shells with `PS1`, `PROMPT_COMMAND` or
 * `BASH_ENV`; pagers, editors and browsers started by git, `gh` or `man`; and
 * proxies, whose URL appears in connection errors. Compared
 * case-insensitively. The usual token variables (`GITHUB_TOKEN`, `GH_TOKEN`,
 * `GH_ENTERPRISE_TOKEN`, `GITHUB_ENTERPRISE_TOKEN`, `GITHUB_PAT`) are not
 * reserved.
 */
const RESERVED_ENV_NAMES: ReadonlySet<string> = new Set([
  // System and session.
  'PATH',
  'HOME',
  'USER',
  'USERNAME',
  'LOGNAME',
  'PWD',
  'TMPDIR',
  'TEMP',
  'TMP',
  'LANG',
  'LANGUAGE',
  'TERM',
  'SYSTEMROOT',
  'COMSPEC',
  'PATHEXT',
  // Shells: prompts, start-up files, word splitting.
  'SHELL',
  'IFS',
  'ENV',
  'BASH_ENV',
  'PS1',
  'PS2',
  'PS3',
  'PS4',
  'PROMPT_COMMAND',
  // Programs started by git, gh, man, ssh and others.
  'EDITOR',
  'VISUAL',
  'PAGER',
  'MANPAGER',
  'BROWSER',
  'LESSOPEN',
  'LESSCLOSE',
  'GH_EDITOR',
  'GH_BROWSER',
  'GH_PAGER',
  'SSH_ASKPASS',
  'SSH_ASKPASS_REQUIRE',
  'SSH_AUTH_SOCK',
  'SUDO_ASKPASS',
  // Proxies (both spellings are honoured by most tools).
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'ALL_PROXY',
  'NO_PROXY'
]);

/** Prefixes of reserved variable names (compared case-insensitively). */
const RESERVED_ENV_PREFIXES: readonly string[] = [
  'LD_',
  'DYLD_',
  'PYTHON',
  'JPY_',
  'JUPYTER',
  'IPYTHON',
  'LC_',
  'BASH_FUNC_',
  // Every git setting (GIT_EDITOR, GIT_SSH_COMMAND, GIT_ASKPASS, GIT_TRACE,
  // GIT_CONFIG_*...). `GITHUB_*` does not match.
  'GIT_'
];

/**
 * Names that read as token variables (upper-cased): ending in `TOKEN`, `PAT`
 * or ending in `_PAT`. Only these are accepted, because a list of reserved
 * names always has gaps (`HISTFILE`, `SSLKEYLOGFILE`, `NODE_OPTIONS`... make
 * programs write or run the value). Same rule as the server's token_store.py.
 */
const TOKEN_VARIABLE_NAME = /^(?:.*TOKEN|PAT|.*_PAT)$/;

/**
 * Throw unless `token` is 1-255 characters from `[A-Za-z0-9_]`.
 * The error message never contains the token.
 */
export function assertSafeToken(token: string, trans: Trans = defaultTrans): void {
  if (typeof token !== 'string' || token.length === 0) {
    throw new UnsafeKernelInputError('token-empty', trans.__('There is no token to send to the kernel.'));
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new UnsafeKernelInputError(
      'token-length',
      trans.__(
        'The token is %1 characters long; GitHub tokens have at most %2. It was not sent to the kernel.',
        token.length,
        MAX_TOKEN_LENGTH
      )
    );
  }
  if (!SAFE_TOKEN.test(token)) {
    throw new UnsafeKernelInputError(
      'token-characters',
      trans.__(
        'The token contains characters GitHub never uses (only letters, digits and underscores are possible). It was not sent to the kernel.'
      )
    );
  }
}

/**
 * Throw unless `name` is a plain environment variable name
 * (`[A-Za-z_][A-Za-z0-9_]{0,127}`) that is not reserved (such as `PATH`,
 * `HOME`, `LD_*`, `GIT_*`, `EDITOR` or `HTTPS_PROXY`) and looks like a token
 * variable (`GITHUB_TOKEN`, `GH_TOKEN`, `GITHUB_PAT`...).
 */
export function assertSafeEnvName(name: string, trans: Trans = defaultTrans): void {
  if (typeof name !== 'string' || !SAFE_ENV_NAME.test(name)) {
    throw new UnsafeKernelInputError(
      'name-invalid',
      trans.__(
        'Environment variable names must start with a letter or underscore and contain only letters, digits and underscores (at most 128 characters).'
      )
    );
  }
  if (/^(gh[pousr]_|github_pat_)/i.test(name) || /^[0-9a-f]{40}$/i.test(name)) {
    throw new UnsafeKernelInputError(
      'name-invalid',
      trans.__(
        'An environment variable name looks like a GitHub token: paste the token in the token field, and use a name such as GITHUB_TOKEN.'
      )
    );
  }
  const upper = name.toUpperCase();
  if (RESERVED_ENV_NAMES.has(upper) || RESERVED_ENV_PREFIXES.some(prefix => upper.startsWith(prefix))) {
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
 * Throw unless `names` is a non-empty list of at most 16 safe, distinct
 * (case-insensitively, as on Windows) environment variable names.
 */
export function assertSafeEnvNames(names: readonly string[], trans: Trans = defaultTrans): void {
  if (!Array.isArray(names) || names.length === 0) {
    throw new UnsafeKernelInputError('no-names', trans.__('Choose at least one environment variable for the token.'));
  }
  if (names.length > MAX_ENV_NAMES) {
    throw new UnsafeKernelInputError('name-invalid', trans.__('Use at most %1 environment variables.', MAX_ENV_NAMES));
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
 * Whether code can be generated for a kernel of this language
 * (`python`, `python3`, `ipython`, `ipython3`..., case-insensitive).
 */
export function isSupportedKernelLanguage(language: string | undefined): boolean {
  return typeof language === 'string' && /^i?python[23]?$/i.test(language.trim());
}

/**
 * The kernel's language as it may be shown to the user: its name when it
 * looks like one (`R`, `julia`, `C++`, `Wolfram Language`), otherwise "an
 * unknown language". The name comes from the kernel's info reply, so a
 * broken or hostile kernel must not choose what the panel says.
 */
export function describeKernelLanguage(language: string | undefined, trans: Trans = defaultTrans): string {
  const name = typeof language === 'string' ? language.trim() : '';
  return /^[A-Za-z][A-Za-z0-9 +#._-]{0,29}$/.test(name) ? name : trans.__('an unknown language');
}

/** Throw reason `language` unless the language is supported. */
function assertSupportedLanguage(language: string | undefined, trans: Trans): void {
  if (!isSupportedKernelLanguage(language)) {
    throw new UnsafeKernelInputError(
      'language',
      trans.__('Only Python kernels are supported; this kernel runs %1.', describeKernelLanguage(language, trans))
    );
  }
}

/**
 * Quote `value` as a single-quoted Python string literal. Backslashes, quotes
 * and every character outside printable ASCII are escaped, so the result is
 * a valid literal of exactly `value` whatever it contains.
 */
function pythonStringLiteral(value: string): string {
  let out = "'";
  for (const char of value) {
    const cp = char.codePointAt(0) as number;
    if (char === '\\') {
      out += '\\\\';
    } else if (char === "'") {
      out += "\\'";
    } else if (cp >= 0x20 && cp < 0x7f) {
      out += char;
    } else if (cp <= 0xff) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp <= 0xffff) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + cp.toString(16).padStart(8, '0');
    }
  }
  return out + "'";
}

/** A Python list literal of the (already validated) names. */
function pythonNameList(names: readonly string[]): string {
  return `[${names.map(name => literals.python(name)).join(', ')}]`;
}

/**
 * The literal encoders used by the builders. Exposed (and called through this
 * object) so that tests can spy on them and prove that rejected input never
 * reaches code generation.
 */
export const literals = {
  python: pythonStringLiteral
};

/**
 * Wrap one Python statement so that nothing can raise out of it:
 *
 * ```
 * try:
 *     <statement>
 * except:
 *     pass
 * ```
 *
 * SECURITY: the statement may contain the token. If it raised (for example
 * because the user rebound `__import__`), IPython would print a traceback
 * quoting the source line, i.e. the token, to every client and ipykernel
 * would log it. The `except:` is bare on purpose: `except BaseException:`
 * looks a name up, which user code could break, and the error raised in the
 * handler would carry the original traceback along. The handler does nothing
 * that could fail. A swallowed failure is still detected: the caller checks
 * the result with {@link buildEnvCheckExpression}.
 */
function pythonSilentStatement(statement: string): string {
  return ['try:', `    ${statement}`, 'except:', '    pass'].join('\n');
}

/**
 * Code that sets each environment variable in `names` to `token` in the
 * kernel process (and therefore in subprocesses it starts later).
 *
 * For Python it is one expression statement,
 * `(lambda value: __import__('os').environ.update({name: value for name in
 * [...]}))('<token>')`, inside `try:` / `except: pass` (see
 * {@link pythonSilentStatement}): it never raises, prints or displays
 * anything, and leaves no new names. The token appears once, as an escaped
 * single-quoted literal; only the `__import__` builtin is used (not `dict` or
 * `os`, which user code often rebinds). Whether it worked must be checked
 * with {@link buildEnvCheckExpression}.
 *
 * @throws UnsafeKernelInputError before building anything when the language,
 *   the token or a name is not acceptable.
 */
export function buildSetEnvCode(
  language: string | undefined,
  token: string,
  names: readonly string[],
  trans: Trans = defaultTrans
): string {
  assertSupportedLanguage(language, trans);
  assertSafeToken(token, trans);
  assertSafeEnvNames(names, trans);
  return pythonSilentStatement(
    "(lambda value: __import__('os').environ.update({name: value for name in " +
      `${pythonNameList(names)}}))(${literals.python(token)})`
  );
}

/**
 * Code that removes the environment variables in `names` from the kernel
 * process. Like {@link buildSetEnvCode} it is wrapped in `try:` /
 * `except: pass`, so it never raises, prints or displays anything (the
 * removed values in particular); check the result with
 * {@link buildEnvCheckExpression}.
 *
 * @throws UnsafeKernelInputError when the language or a name is not acceptable.
 */
export function buildUnsetEnvCode(
  language: string | undefined,
  names: readonly string[],
  trans: Trans = defaultTrans
): string {
  assertSupportedLanguage(language, trans);
  assertSafeEnvNames(names, trans);
  return pythonSilentStatement(
    '(lambda env: [env.pop(name, None) for name in ' + `${pythonNameList(names)}] and None)(__import__('os').environ)`
  );
}

/**
 * A Python expression (for `user_expressions` of an execute request) that
 * evaluates to the list of those `names` that are set to a non-empty value.
 * It never evaluates to a value of a variable.
 *
 * @throws UnsafeKernelInputError when the language or a name is not acceptable.
 */
export function buildEnvCheckExpression(
  language: string | undefined,
  names: readonly string[],
  trans: Trans = defaultTrans
): string {
  assertSupportedLanguage(language, trans);
  assertSafeEnvNames(names, trans);
  return `[name for name in ${pythonNameList(names)} ` + "if __import__('os').environ.get(name)]";
}

/** Most widgets a request may name at once. */
export const MAX_WIDGET_IDS = 16;

/** ipywidgets model ids: `uuid4().hex`, 32 lowercase hex digits. */
const SAFE_MODEL_ID = /^[0-9a-f]{32}$/;

/**
 * Throw unless `ids` is a non-empty list of at most 16 distinct ipywidgets
 * model ids (32 lowercase hexadecimal digits each).
 */
export function assertSafeModelIds(ids: readonly string[], trans: Trans = defaultTrans): void {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_WIDGET_IDS) {
    throw new UnsafeKernelInputError(
      'widget-invalid',
      trans.__('Choose between 1 and %1 notebook fields.', MAX_WIDGET_IDS)
    );
  }
  if (ids.some(id => typeof id !== 'string' || !SAFE_MODEL_ID.test(id)) || new Set(ids).size !== ids.length) {
    throw new UnsafeKernelInputError(
      'widget-invalid',
      trans.__(
        'The notebook field is not a widget this kernel created (its id is not an ipywidgets model id). Nothing was sent to the kernel.'
      )
    );
  }
}

/**
 * The live ipywidgets registry of ipywidgets 8 (`ipywidgets.widgets.widget._instances`,
 * model id → widget), or an empty dict when ipywidgets was never imported: the
 * code never imports it itself.
 */
const PYTHON_WIDGET_REGISTRY =
  "(getattr(__import__('sys').modules.get('ipywidgets.widgets.widget'), '_instances', None) or {})";

/** Widget classes that can hold a token typed by the user. */
const FIELD_WIDGET_CLASSES = ['Password', 'Text'];

/**
 * A Python expression (for `user_expressions`) listing the live ipywidgets
 * `Password` and `Text` widgets of the kernel, as base64 of UTF-8 JSON:
 * `[{"id", "cls", "description", "names", "empty"}]` where `names` are the
 * user variables bound to the widget and `empty` whether its value is empty.
 * It never evaluates to a widget's value, imports nothing new and takes no
 * input, so it cannot be steered by what the user typed.
 *
 * @throws UnsafeKernelInputError when the language is not supported.
 */
export function buildListWidgetsExpression(language: string | undefined, trans: Trans = defaultTrans): string {
  assertSupportedLanguage(language, trans);
  const classes = pythonNameList(FIELD_WIDGET_CLASSES);
  return (
    "__import__('base64').b64encode(__import__('json').dumps([" +
    "{'id': key, 'cls': type(widget).__name__, " +
    "'description': str(getattr(widget, 'description', '') or '')[:200], " +
    "'names': [name for name, value in list(get_ipython().user_ns.items()) " +
    "if value is widget and not name.startswith('_')][:5], " +
    "'empty': not getattr(widget, 'value', '')} " +
    `for key, widget in list(${PYTHON_WIDGET_REGISTRY}.items()) ` +
    `if type(widget).__name__ in ${classes}][:200]).encode()).decode()`
  );
}

/**
 * Code that sets the `value` of the live widgets `modelIds` to `token`, so
 * that the widget shows it (masked, for a `Password`) and code reading
 * `.value` gets it. Like {@link buildSetEnvCode}: one escaped literal, inside
 * `try:` / `except: pass`, nothing printed, no new names. Check the result
 * with {@link buildWidgetValueCheckExpression}.
 *
 * @throws UnsafeKernelInputError before building anything when the language,
 *   the token or an id is not acceptable.
 */
export function buildSetWidgetValueCode(
  language: string | undefined,
  modelIds: readonly string[],
  token: string,
  trans: Trans = defaultTrans
): string {
  assertSupportedLanguage(language, trans);
  assertSafeToken(token, trans);
  assertSafeModelIds(modelIds, trans);
  return pythonSilentStatement(
    "(lambda value, widgets: [widgets[key].set_trait('value', value) for key in " +
      `${pythonNameList(modelIds)} if key in widgets] and None)` +
      `(${literals.python(token)}, ${PYTHON_WIDGET_REGISTRY})`
  );
}

/**
 * A Python expression (for `user_expressions`) giving, for each of
 * `modelIds`, `[id, length of its value]` (-1 when the widget is gone): enough
 * to confirm a write without ever returning the value.
 *
 * @throws UnsafeKernelInputError when the language or an id is not acceptable.
 */
export function buildWidgetValueCheckExpression(
  language: string | undefined,
  modelIds: readonly string[],
  trans: Trans = defaultTrans
): string {
  assertSupportedLanguage(language, trans);
  assertSafeModelIds(modelIds, trans);
  return (
    `(lambda widgets: [[key, len(str(getattr(widgets[key], 'value', '') or '')) if key in widgets else -1] for key in ${pythonNameList(modelIds)}])` +
    `(${PYTHON_WIDGET_REGISTRY})`
  );
}

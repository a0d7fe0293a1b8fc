/**
 * Builds the code that delivers a token to a kernel: into its environment, or
 * into the value of a live ipywidgets field.
 *
 * SECURITY: the token ends up inside source code executed by the kernel.
 * Every input is validated (./validation.ts) BEFORE any code is built, and
 * the token is additionally escaped when it is turned into a string literal
 * (defence in depth). The generated code prints nothing, displays nothing,
 * cannot raise (so no traceback can quote the token) and leaves no new names
 * in the user's namespace.
 */

import type { Trans } from '../i18n';
import { assertSafeEnvNames, assertSafeModelIds, assertSafeToken, assertSupportedLanguage } from './validation';

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
  trans: Trans
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
export function buildUnsetEnvCode(language: string | undefined, names: readonly string[], trans: Trans): string {
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
export function buildEnvCheckExpression(language: string | undefined, names: readonly string[], trans: Trans): string {
  assertSupportedLanguage(language, trans);
  assertSafeEnvNames(names, trans);
  return `[name for name in ${pythonNameList(names)} ` + "if __import__('os').environ.get(name)]";
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
 * `Password` and `Text` widgets of the kernel, then its containers, as base64
 * of UTF-8 JSON: `[{"id", "cls", "description", "names", "empty"}, ...,
 * {"id", "children"}, ...]` where `names` are the user variables bound to the
 * widget, `empty` whether its value is empty, and `children` the model ids
 * of a container's children (`Box`, `VBox`, `Accordion`, `Tab`...: any
 * widget whose `children` is a list or tuple), in order: the page needs them
 * to know which fields a displayed container shows. It never evaluates to a
 * widget's value, imports nothing new and takes no input, so it cannot be
 * steered by what the user typed.
 *
 * @throws UnsafeKernelInputError when the language is not supported.
 */
export function buildListWidgetsExpression(language: string | undefined, trans: Trans): string {
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
    `if type(widget).__name__ in ${classes}][:200] + [` +
    "{'id': key, 'children': [str(getattr(child, 'model_id', '') or '') for child in list(widget.children)][:200]} " +
    `for key, widget in list(${PYTHON_WIDGET_REGISTRY}.items()) ` +
    "if isinstance(getattr(widget, 'children', None), (list, tuple))][:200]).encode()).decode()"
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
  trans: Trans
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
  trans: Trans
): string {
  assertSupportedLanguage(language, trans);
  assertSafeModelIds(modelIds, trans);
  return (
    `(lambda widgets: [[key, len(str(getattr(widgets[key], 'value', '') or '')) if key in widgets else -1] for key in ${pythonNameList(modelIds)}])` +
    `(${PYTHON_WIDGET_REGISTRY})`
  );
}

/**
 * Minimal translation interface used by the pure modules of this extension.
 *
 * It is structurally compatible with JupyterLab's `TranslationBundle`
 * (`trans.__()` / `trans._n()`), so a bundle obtained from
 * `ITranslator.load('jupyterlab_github_token')` can be passed wherever a
 * {@link Trans} is expected, while the pure modules never import JupyterLab.
 */

/**
 * The subset of JupyterLab's `TranslationBundle` used by this extension.
 *
 * Placeholders `%1`, `%2`, ... in a message id are replaced by the extra
 * arguments, in order.
 */
export interface Trans {
  /** Translate a message, then substitute `%1`, `%2`, ... with `args`. */
  __(msgid: string, ...args: any[]): string;
  /**
   * Translate a message with a plural form chosen by `n`, then substitute
   * `%1` with `n` and `%2`, `%3`, ... with `args` (as JupyterLab's gettext
   * does: it puts `n` before the other arguments).
   */
  _n(singular: string, plural: string, n: number, ...args: any[]): string;
}

/**
 * Replace `%1`, `%2`, ... in `message` with the matching argument.
 * Placeholders without a matching argument are left as they are, and `%%`
 * stands for a literal percent sign.
 */
export function substitutePlaceholders(
  message: string,
  args: readonly unknown[]
): string {
  return message.replace(/%%|%(\d+)/g, (match: string, digits?: string) => {
    if (digits === undefined) {
      return '%';
    }
    const index = Number(digits) - 1;
    return index >= 0 && index < args.length ? String(args[index]) : match;
  });
}

/**
 * The identity translation: English messages with `%N` substitution.
 * Used when no JupyterLab translator is available (and in unit tests).
 */
export const defaultTrans: Trans = {
  __(msgid: string, ...args: any[]): string {
    return substitutePlaceholders(msgid, args);
  },
  _n(singular: string, plural: string, n: number, ...args: any[]): string {
    return substitutePlaceholders(n === 1 ? singular : plural, [n, ...args]);
  }
};

/**
 * Whether a kernel would log the requests it receives. ipykernel started with
 * `--debug` logs every execute request's content, and jupyter_client's
 * `Session.debug` prints every message: a token sent as code would end up in
 * the kernel's log. The page asks first, with one silent user expression that
 * carries no token, and sends the token only when the answer is `quiet`.
 *
 * The expression lives in debugCheck.json, which the Python tests also
 * evaluate in real kernels (with and without `--debug`): one definition.
 */
import check from './debugCheck.json';

/** Values the expression evaluates to. */
export const KERNEL_LOGGING_VALUES = { quiet: check.quiet, debug: check.debug, unknown: check.unknown } as const;

/**
 * The user expression: 'debug' when a handler of ipykernel's logger takes
 * DEBUG records (following `propagate` up to the root) or `Session.debug` is
 * on; 'quiet' when neither; 'unknown' when there is no ipykernel kernel.
 * It defines no names, prints nothing and uses only the `__import__` builtin.
 */
export const KERNEL_DEBUG_CHECK_EXPRESSION: string = check.expression;

/** What the check found; anything but `quiet` means the token must not be sent. */
export type KernelLogging = 'quiet' | 'debug' | 'unknown';

/**
 * Read the expression's `text/plain` value (a Python repr such as `'quiet'`).
 * Anything unexpected (an error, another kernel's answer) is `unknown`.
 */
export function parseKernelDebugCheck(value: string): KernelLogging {
  const text = value.trim();
  if (text === `'${KERNEL_LOGGING_VALUES.quiet}'`) {
    return 'quiet';
  }
  if (text === `'${KERNEL_LOGGING_VALUES.debug}'`) {
    return 'debug';
  }
  return 'unknown';
}

/**
 * Delivers the token into the environment of a notebook's running kernel, and
 * removes it from running kernels, each with one silent execute request (no
 * history, no execution count, no output).
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { Trans } from '../i18n';
import { ENV_NAME_POLICY } from '../policy/policy';
import { buildEnvCheckExpression, buildSetEnvCode, buildUnsetEnvCode } from './code';
import { UnsafeKernelInputError, describeKernelLanguage, isSupportedKernelLanguage } from './validation';
import { KERNEL_DEBUG_CHECK_EXPRESSION, parseKernelDebugCheck } from './debugCheck';

/**
 * How every request that touches the token runs: no `execute_input`
 * broadcast, no history entry, no execution count, no stdin.
 */
const SILENT: Omit<KernelMessage.IExecuteRequestMsg['content'], 'code'> = {
  silent: true,
  store_history: false,
  allow_stdin: false,
  stop_on_error: false
};

/** Why a write could not be done. */
export type KernelWriteProblem =
  | 'no-notebook'
  | 'no-kernel'
  | 'busy'
  | 'restarting'
  | 'dead'
  | 'disconnected'
  | 'unsupported-language'
  | 'kernel-logs-requests'
  | 'kernel-logging-unknown'
  | 'unsafe-input'
  | 'already-set'
  | 'execution-failed'
  | 'no-field'
  | 'several-fields'
  | 'changed';

/** What happened, phrased for the user; never contains the token. */
export interface IKernelWriteResult {
  ok: boolean;
  problem?: KernelWriteProblem;
  message: string;
  /** Variables confirmed set in the kernel. */
  variables: string[];
  kernelDisplayName?: string;
  /** The kernel written to (to offer clearing it after Forget). */
  kernelId?: string;
}

const USER_EXPRESSION = 'jupyterlab_github_token_set';

/** A failed result, phrased for the user. */
export function writeFailure(
  problem: KernelWriteProblem,
  message: string,
  kernelDisplayName?: string
): IKernelWriteResult {
  return { ok: false, problem, message, variables: [], ...(kernelDisplayName ? { kernelDisplayName } : {}) };
}

/**
 * The 'unsafe-input' failure for an {@link UnsafeKernelInputError} thrown
 * while building kernel code or a cell; any other error is rethrown.
 */
export function unsafeInputFailure(error: unknown, kernelDisplayName?: string): IKernelWriteResult {
  if (error instanceof UnsafeKernelInputError) {
    return writeFailure('unsafe-input', error.message, kernelDisplayName);
  }
  throw error;
}

/** The kernel of a notebook, idle, connected and running Python. */
export interface IReadyKernel {
  kernel: Kernel.IKernelConnection;
  language: string;
  kernelDisplayName: string;
}

/**
 * The notebook's kernel when code can be sent to it now: idle, connected and
 * running Python; otherwise why not, phrased for the user.
 */
export async function readyPythonKernel(
  context: ISessionContext | null | undefined,
  notebookName: string | undefined,
  trans: Trans
): Promise<IReadyKernel | IKernelWriteResult> {
  const fail = writeFailure;
  if (!context) {
    return fail(
      'no-notebook',
      trans.__('Open a notebook first: the token is written to the kernel of the active notebook.')
    );
  }
  const kernel = context.session?.kernel;
  if (!kernel) {
    return fail(
      'no-kernel',
      trans.__(
        'The notebook "%1" has no running kernel. Start one (Kernel → Start Kernel…) and try again.',
        notebookName ?? ''
      )
    );
  }
  const status = kernel.status;
  if (status === 'dead') {
    return fail(
      'dead',
      trans.__('The kernel of "%1" is dead. Restart it (Kernel → Restart Kernel…) and try again.', notebookName ?? '')
    );
  }
  if (status === 'restarting' || status === 'autorestarting' || status === 'starting' || status === 'terminating') {
    return fail(
      'restarting',
      trans.__('The kernel of "%1" is restarting. Wait until it is idle and try again.', notebookName ?? '')
    );
  }
  if (status === 'busy') {
    return fail(
      'busy',
      trans.__(
        'The kernel of "%1" is busy running code. Wait until it is idle (or interrupt it) and try again.',
        notebookName ?? ''
      )
    );
  }
  if (kernel.connectionStatus !== 'connected' || status === 'unknown') {
    return fail(
      'disconnected',
      trans.__(
        'JupyterLab is not connected to the kernel of "%1". Wait for it to reconnect and try again.',
        notebookName ?? ''
      )
    );
  }
  const info = await kernel.info;
  const language = info.language_info?.name;
  const kernelDisplayName = context.kernelDisplayName;
  if (!isSupportedKernelLanguage(language)) {
    return fail(
      'unsupported-language',
      trans.__(
        'The kernel "%1" runs %2. Writing the token is supported for Python kernels only, not yet for %2.',
        kernelDisplayName,
        describeKernelLanguage(language, trans)
      ),
      kernelDisplayName
    );
  }
  return { kernel, language: language as string, kernelDisplayName };
}

/**
 * Send `code` silently with `expression` as a user expression. Resolves to
 * the expression's `text/plain` value ('' when it failed), or to a failure
 * when the kernel refused the request.
 */
export async function executeSilently(
  ready: IReadyKernel,
  code: string,
  expression: string,
  trans: Trans
): Promise<{ value: string } | IKernelWriteResult> {
  const future = ready.kernel.requestExecute({
    ...SILENT,
    code,
    user_expressions: { [USER_EXPRESSION]: expression }
  });
  const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
  const content = reply.content;
  if (content.status !== 'ok') {
    return writeFailure(
      'execution-failed',
      trans.__(
        'The kernel refused the request (%1). Nothing was changed.',
        content.status === 'error' ? content.ename : content.status
      ),
      ready.kernelDisplayName
    );
  }
  const r = content.user_expressions?.[USER_EXPRESSION] as
    { status?: string; data?: Record<string, unknown> } | undefined;
  const value =
    r?.status === 'ok' && typeof r.data?.['text/plain'] === 'string' ? (r.data['text/plain'] as string) : '';
  return { value };
}

/**
 * Refuse a kernel that would log the requests it receives (ipykernel with
 * `--debug`, `Session.debug`): one silent request that carries no token.
 * Resolves to null when the token may be sent, else to the refusal.
 *
 * A kernel that cannot be checked (a Python kernel that is not ipykernel, or
 * a namespace that breaks the expression) is refused too: the token is only
 * sent where it is known not to be logged.
 */
export async function refuseLoggingKernel(ready: IReadyKernel, trans: Trans): Promise<IKernelWriteResult | null> {
  const checked = await executeSilently(ready, '', KERNEL_DEBUG_CHECK_EXPRESSION, trans);
  if (!('value' in checked)) {
    return checked;
  }
  const next = trans.__(
    'Restart the kernel without debug logging, or turn on "Use for new kernels and terminals", which gives kernels started afterwards the token in their environment, without sending it as code.'
  );
  switch (parseKernelDebugCheck(checked.value)) {
    case 'quiet':
      return null;
    case 'debug':
      return writeFailure(
        'kernel-logs-requests',
        trans.__(
          'The kernel "%1" logs every request it receives (it runs with debug logging, e.g. --debug), so the token would be written to its log. Nothing was sent.',
          ready.kernelDisplayName
        ) +
          ' ' +
          next,
        ready.kernelDisplayName
      );
    default:
      return writeFailure(
        'kernel-logging-unknown',
        trans.__(
          'Could not check whether the kernel "%1" logs the requests it receives (only ipykernel can be checked), so the token was not sent.',
          ready.kernelDisplayName
        ) +
          ' ' +
          next,
        ready.kernelDisplayName
      );
  }
}

/**
 * {@link executeSilently} for code that carries the token: only after
 * {@link refuseLoggingKernel} found that the kernel does not log it.
 */
export async function executeWithToken(
  ready: IReadyKernel,
  code: string,
  expression: string,
  trans: Trans
): Promise<{ value: string } | IKernelWriteResult> {
  const refused = await refuseLoggingKernel(ready, trans);
  return refused ?? executeSilently(ready, code, expression, trans);
}

/**
 * Set `names` to `token` in the environment of the kernel of `context`.
 *
 * Every check runs before any code is sent, so nothing is half done: either
 * all variables are set in one request, or the kernel was not touched. With
 * `unlessSet`, a kernel that already has one of the variables (a token the
 * user gave it) is left alone: 'already-set', with those names in
 * `variables`. Asked without sending the token, in the same turn as the
 * write (a second readiness check could see the probe's own busy status).
 */
export async function writeTokenToKernel(
  context: ISessionContext | null | undefined,
  notebookName: string | undefined,
  token: string,
  names: readonly string[],
  trans: Trans,
  unlessSet = false
): Promise<IKernelWriteResult> {
  const ready = await readyPythonKernel(context, notebookName, trans);
  if (!('kernel' in ready)) {
    return ready;
  }
  const { kernel, language, kernelDisplayName } = ready;
  let code: string;
  let check: string;
  try {
    code = buildSetEnvCode(language, token, names, trans);
    check = buildEnvCheckExpression(language, names, trans);
  } catch (error) {
    return unsafeInputFailure(error);
  }
  if (unlessSet) {
    const probe = await executeSilently(ready, '', check, trans);
    if (!('value' in probe)) {
      return probe;
    }
    const already = parseSetNames(probe.value);
    if (already.length) {
      return {
        ...writeFailure(
          'already-set',
          trans.__('The kernel already has %1 set: it was left as it is.', already.join(', ')),
          kernelDisplayName
        ),
        variables: already
      };
    }
  }
  const executed = await executeWithToken(ready, code, check, trans);
  if (!('value' in executed)) {
    return executed;
  }
  const set = parseSetNames(executed.value);
  const missing = names.filter(n => !set.includes(n));
  if (missing.length > 0) {
    return writeFailure(
      'execution-failed',
      trans.__('The kernel did not confirm %1. Check the kernel and try again.', missing.join(', ')),
      kernelDisplayName
    );
  }
  return {
    ok: true,
    message: trans.__(
      'Set %1 in the kernel "%2" of "%3". Code in this notebook can now read them; restarting the kernel clears them.',
      names.join(', '),
      kernelDisplayName,
      notebookName ?? ''
    ),
    variables: [...names],
    kernelDisplayName,
    kernelId: kernel.id
  };
}

/** A quoted variable name in the Python repr of a list of names. */
const QUOTED_NAME = new RegExp(`'(${ENV_NAME_POLICY.pattern})'`, 'g');

/** Read the user-expression result: a Python list repr of variable names. */
function parseSetNames(text: string): string[] {
  return Array.from(text.matchAll(QUOTED_NAME), m => m[1]);
}

/**
 * Run `act` on each kernel of `ids` that still runs, through `live(id)` when
 * it has a connection (left open), else through one of its own (closed after
 * use). Resolves to the ids where `act` resolved to true, and those that no
 * longer run; a kernel where it threw or said false stays out.
 */
async function forEachRunningKernel(
  kernels: Kernel.IManager,
  ids: readonly string[],
  act: (connection: Kernel.IKernelConnection) => Promise<boolean>,
  live: (id: string) => Kernel.IKernelConnection | null | undefined = () => undefined
): Promise<string[]> {
  await kernels.refreshRunning();
  const running = new Map(Array.from(kernels.running(), model => [model.id, model]));
  const done: string[] = [];
  for (const id of ids) {
    const model = running.get(id);
    if (!model) {
      done.push(id);
      continue;
    }
    const own = live(id);
    const connection = own ?? kernels.connectTo({ model, handleComms: false });
    try {
      if (await act(connection)) {
        done.push(id);
      }
    } catch {
      // Busy, dead or not Python: left in the list for the user.
    } finally {
      if (!own) {
        connection.dispose();
      }
    }
  }
  return done;
}

/**
 * Remove `names` from the environment of running kernels. Kernels that no
 * longer run count as cleared; busy, dead or non-Python ones stay listed.
 * Resolves to the ids cleared.
 */
export function clearTokenFromKernels(
  kernels: Kernel.IManager,
  ids: readonly string[],
  names: readonly string[],
  trans: Trans
): Promise<string[]> {
  return forEachRunningKernel(kernels, ids, async connection => {
    const info = await connection.info;
    // A refusal (a non-Python kernel, a bad name) throws: the kernel stays listed.
    const code = buildUnsetEnvCode(info.language_info?.name ?? '', names, trans);
    const reply = await connection.requestExecute({ ...SILENT, code }).done;
    return reply.content.status === 'ok';
  });
}

/**
 * Restart running kernels: the only way to clear the token from a kernel's
 * initial process environment (`/proc/<pid>/environ`), which os.environ.pop
 * cannot change. Through the notebook's own connection when `live(id)` has
 * one (so the notebook follows the restart: its status, the kernel info),
 * else through a connection of its own. Kernels that no longer run count as
 * done. Resolves to the ids restarted (or gone).
 */
export function restartKernels(
  kernels: Kernel.IManager,
  ids: readonly string[],
  live: (id: string) => Kernel.IKernelConnection | null | undefined
): Promise<string[]> {
  return forEachRunningKernel(
    kernels,
    ids,
    async connection => {
      await connection.restart();
      return true;
    },
    live
  );
}

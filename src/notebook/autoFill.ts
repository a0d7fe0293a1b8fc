/**
 * Notebook token fields that fill themselves: when a notebook comes to
 * display an empty ipywidgets `Password` field that matches (fieldWriter's
 * rule), and the server holds a token, ask once (a notification with a
 * "Fill" action) or fill at once, as the `fillNotebookFields` setting says.
 * Never a `Text` field: it would show the token in clear without the user
 * asking (the panel's explicit "Write to notebook field" still can, with its
 * warning). Pure logic: the JupyterLab wiring is autoFillWatcher.ts.
 */
import type { Trans } from '../i18n';
import type { IKernelWriteResult, KernelWriteProblem } from '../kernel/environment';
import type { FillNotebookFields } from '../settings';
import { describeCandidate } from './describe';
import type { FieldCandidate, IFieldSearch, INotebookHandle, IWidgetCandidate } from './fieldWriter';

/** What the auto-fill needs; every effect goes through here. */
export interface IAutoFillDeps {
  /** The `fillNotebookFields` setting. */
  mode(): FillNotebookFields;
  /** The usable token the server holds for the settings' API base URL (its account), or null. */
  held(): Promise<{ login: string | null } | null>;
  find(handle: INotebookHandle): Promise<IFieldSearch | IKernelWriteResult>;
  /** null: nothing was tried (no token any more). */
  fill(handle: INotebookHandle, candidate: FieldCandidate): Promise<IKernelWriteResult | null>;
  notify: {
    ask(message: string, fillLabel: string, onFill: () => void): void;
    success(message: string): void;
    failure(message: string): void;
  };
  trans: Trans;
  /** Quiet time after the last output change before looking (one cell run, one look). */
  debounceMs?: number;
  /** How many times to look again while the kernel is busy (the form cell is still running). */
  busyRetries?: number;
}

/** Kernel states that pass: the widgets are looked at again on the next change. */
const TRANSIENT: ReadonlySet<KernelWriteProblem> = new Set<KernelWriteProblem>([
  'busy',
  'no-kernel',
  'restarting',
  'disconnected',
  'dead'
]);

/** The one ipywidgets field class that shows what it holds masked: the only one filled unasked. */
const MASKED_FIELD_CLASS = 'Password';

const DEFAULT_DEBOUNCE_MS = 400;
const DEFAULT_BUSY_RETRIES = 20;

export class NotebookAutoFill {
  constructor(deps: IAutoFillDeps) {
    this._deps = deps;
  }

  /**
   * The outputs of `handle`'s notebook changed: look for new empty token
   * fields once they settle.
   */
  displayedWidgetsChanged(handle: INotebookHandle): void {
    this._schedule(handle, 0);
  }

  private _schedule(handle: INotebookHandle, attempt: number): void {
    const pending = this._timers.get(handle.path);
    if (pending !== undefined) {
      clearTimeout(pending);
    }
    this._timers.set(
      handle.path,
      setTimeout(() => {
        this._timers.delete(handle.path);
        // A look that failed (kernel or server gone) is tried again on the next output change.
        this._look(handle, attempt).catch(() => undefined);
      }, this._deps.debounceMs ?? DEFAULT_DEBOUNCE_MS)
    );
  }

  private async _look(handle: INotebookHandle, attempt: number): Promise<void> {
    const { mode, held, find } = this._deps;
    if (mode() === 'never') {
      return;
    }
    const path = handle.path;
    // Outputs that show no widget not looked at before (text, plots): nothing to ask the server.
    const fresh = handle.displayedWidgetIds().filter(id => !this._looked.has(key(path, id)));
    if (!fresh.length) {
      return;
    }
    const account = await held();
    if (!account) {
      return;
    }
    const found = await find(handle);
    const problem = 'candidates' in found ? found.widgetProblem : found.problem;
    if (problem && TRANSIENT.has(problem)) {
      // The form cell is still running, or the kernel is not there yet: look again later.
      if (problem === 'busy' && attempt < (this._deps.busyRetries ?? DEFAULT_BUSY_RETRIES)) {
        this._schedule(handle, attempt + 1);
      }
      return;
    }
    fresh.forEach(id => this._looked.add(key(path, id)));
    if (!('candidates' in found)) {
      return;
    }
    // Checked and marked in one turn: overlapping looks never offer a field twice.
    const offered = found.candidates.filter(
      (candidate): candidate is IWidgetCandidate =>
        candidate.kind === 'widget' &&
        candidate.widgetClass === MASKED_FIELD_CLASS &&
        candidate.empty &&
        !this._offered.has(key(path, candidate.id))
    );
    offered.forEach(candidate => this._offered.add(key(path, candidate.id)));
    if (!offered.length || mode() === 'never') {
      return;
    }
    if (mode() === 'always') {
      await this._fill(handle, offered);
      return;
    }
    const { trans } = this._deps;
    // A toast shows 140 characters: the notebook's name, not its path.
    const fields = offered.map(candidate => describeCandidate(candidate, trans)).join(', ');
    const message = account.login
      ? trans.__('"%1" shows the %2. Fill it with the GitHub token of %3?', nameOf(path), fields, account.login)
      : trans.__('"%1" shows the %2. Fill it with the GitHub token the server holds?', nameOf(path), fields);
    this._deps.notify.ask(message, trans.__('Fill'), () => void this._fill(handle, offered));
  }

  private async _fill(handle: INotebookHandle, candidates: IWidgetCandidate[]): Promise<void> {
    const { fill, notify, trans } = this._deps;
    for (const candidate of candidates) {
      const label = describeCandidate(candidate, trans);
      let result: IKernelWriteResult | null;
      try {
        result = await fill(handle, candidate);
      } catch {
        result = null;
      }
      if (result?.ok) {
        notify.success(trans.__('Filled the %1 in "%2" (masked).', label, nameOf(handle.path)));
      } else {
        notify.failure(
          trans.__(
            'Not filled (%1): %2',
            nameOf(handle.path),
            result?.message ?? trans.__('the %1 got nothing: no GitHub token is held any more.', label)
          )
        );
      }
    }
  }

  private readonly _deps: IAutoFillDeps;
  private readonly _timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Notebook path + model id of every displayed widget already looked at. */
  private readonly _looked = new Set<string>();
  /** Notebook path + model id of every field offered or filled: never twice. */
  private readonly _offered = new Set<string>();
}

/** The last part of a notebook path. */
function nameOf(path: string): string {
  return path.split('/').pop() || path;
}

function key(path: string, id: string): string {
  return `${path}\n${id}`;
}

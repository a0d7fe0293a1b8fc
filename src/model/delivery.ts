/**
 * Delivery: putting the token where code can use it, i.e. the active
 * notebook's kernel environment, a token field of the notebook, and (through
 * the server, see serverState) every new kernel and terminal. The token is
 * the draft's, or the server's held one fetched for that one delivery: it
 * lives in the delivery's local variables only.
 */
import type { Trans } from '../i18n';
import type { IGitHubTokenSettings } from '../settings';
import type { IKernelWriteResult } from '../kernel/environment';
import type { AssignmentMode, FieldCandidate, IFieldSearch, INotebookHandle } from '../notebook/fieldWriter';
import type { IHoldRequest } from '../server/api';
import type { IModelHost } from './host';
import type { VerifyState } from './verification';

/** Kernel write progress. */
export type KernelWriteState =
  { status: 'idle' } | { status: 'writing' } | { status: 'done'; result: IKernelWriteResult };

/** Notebook field progress. */
export type FieldState =
  | { status: 'idle' }
  | { status: 'searching' }
  | { status: 'choose'; candidates: FieldCandidate[] }
  | { status: 'writing' }
  | { status: 'done'; result: IKernelWriteResult };

/** The active notebook's kernel environment and, when it shows a token field, that field. */
export interface IUseInNotebookResult {
  kernel: IKernelWriteResult;
  /** null: the notebook shows no token field. */
  field: IKernelWriteResult | null;
}

/** "Use in this notebook" progress. */
export type UseState = { status: 'idle' } | { status: 'working' } | { status: 'done'; result: IUseInNotebookResult };

/** The token for one delivery; rejects (with a message for the user) when there is none to be had. */
export type TokenSource = () => Promise<string>;

/** What delivery needs from JupyterLab. */
export interface IDeliveryDeps {
  writeToKernel(token: string, names: readonly string[]): Promise<IKernelWriteResult>;
  /** Find the active notebook's token field(s) (see notebook/fieldWriter). */
  findFields?(fieldName: string): Promise<IFieldSearch | IKernelWriteResult>;
  /** Put the token into one field of the active notebook. */
  fillField?(
    candidate: FieldCandidate,
    token: string,
    mode: AssignmentMode,
    names: readonly string[],
    fieldName: string
  ): Promise<IKernelWriteResult>;
  /** Find the token field(s) of a given notebook (e.g. one that just displayed a form). */
  findFieldsIn?(notebook: INotebookHandle, fieldName: string): Promise<IFieldSearch | IKernelWriteResult>;
  /** Put the token into one field of a given notebook. */
  fillFieldIn?(
    notebook: INotebookHandle,
    candidate: FieldCandidate,
    token: string,
    mode: AssignmentMode,
    names: readonly string[],
    fieldName: string
  ): Promise<IKernelWriteResult>;
}

/** A kernel that received the variables (see holders). */
export type RecordHolder = (result: IKernelWriteResult) => void;

/** Where the token and the settings come from when a write starts (the model checks that a token is there). */
export interface IHeldToken {
  /** The draft's token, or the server's held one fetched for this delivery. */
  token: TokenSource;
  settings(): Readonly<IGitHubTokenSettings>;
}

/** A failure to reach the kernel (or, `noToken`, to get the token for it), as a write result. */
export function unreachableKernel(error: unknown, trans: Trans, noToken = false): IKernelWriteResult {
  const detail = (error as Error)?.message ?? String(error);
  return {
    ok: false,
    problem: 'execution-failed',
    message: noToken ? detail : trans.__('Could not reach the kernel: %1', detail),
    variables: []
  };
}

/**
 * What the server is given to hold the token for new kernels and terminals:
 * bound to the host the account and expiry were learnt from (the setting may
 * have changed since) or, unverified, the host Verify would use.
 */
export function holdRequest(
  token: string,
  settings: Readonly<IGitHubTokenSettings>,
  verify: VerifyState,
  verifiedApiBaseUrl: string
): IHoldRequest {
  const report = verify.status === 'done' ? verify.report : undefined;
  return {
    token,
    variables: settings.environmentVariables,
    apiBaseUrl: (report && verifiedApiBaseUrl) || settings.apiBaseUrl,
    login: report?.account?.login,
    expiresAt: report?.expiresAt ? report.expiresAt.toISOString() : null,
    ...(report ? { scopes: report.scopes } : {})
  };
}

/**
 * The token from `source`, or the failure to get it as a write result (the
 * server could not deliver it): the message says why, never the token.
 */
async function take(source: TokenSource, trans: Trans): Promise<string | IKernelWriteResult> {
  try {
    return await source();
  } catch (error) {
    return unreachableKernel(error, trans, true);
  }
}

/** The kernel and notebook field writes of the model. */
export class Delivery {
  constructor(host: IModelHost, held: IHeldToken, deps: IDeliveryDeps, recordHolder: RecordHolder, trans: Trans) {
    this._host = host;
    this._held = held;
    this._deps = deps;
    this._recordHolder = recordHolder;
    this._trans = trans;
  }

  get kernelWriteState(): KernelWriteState {
    return this._kernelWrite;
  }

  get fieldState(): FieldState {
    return this._field;
  }

  /** Whether a notebook field search or write is under way. */
  get fieldBusy(): boolean {
    return this._field.status === 'searching' || this._field.status === 'writing';
  }

  /** Both back to idle (the caller emits). */
  reset(): void {
    this._kernelWrite = { status: 'idle' };
    this._field = { status: 'idle' };
  }

  /** Write the token to the active notebook's kernel environment (null while a write runs). */
  async writeToKernel(source: TokenSource = this._held.token): Promise<IKernelWriteResult | null> {
    if (this._kernelWrite.status === 'writing') {
      return null;
    }
    this._kernelWrite = { status: 'writing' };
    this._host.emit();
    let result: IKernelWriteResult;
    const token = await take(source, this._trans);
    if (typeof token !== 'string') {
      result = token;
    } else {
      try {
        result = await this._deps.writeToKernel(token, this._held.settings().environmentVariables);
      } catch (error) {
        result = unreachableKernel(error, this._trans);
      }
    }
    this._recordHolder(result);
    this._kernelWrite = { status: 'done', result };
    this._host.emit();
    return result;
  }

  /**
   * Fill the active notebook's token field: with one candidate, fill it
   * (assignment cells read the environment); with several, list them for
   * the user to pick (state `choose`); with none, say what was looked for
   * (`quietWhenNone`: back to idle and null, for "Use in this notebook").
   */
  async writeToNotebookField(
    source: TokenSource = this._held.token,
    quietWhenNone = false
  ): Promise<IKernelWriteResult | null> {
    const find = this._deps.findFields;
    if (!find || this.fieldBusy) {
      return null;
    }
    const generation = this._host.generation();
    this._field = { status: 'searching' };
    this._host.emit();
    let found: IFieldSearch | IKernelWriteResult;
    try {
      found = await find(this._held.settings().notebookFieldName);
    } catch (error) {
      found = unreachableKernel(error, this._trans);
    }
    if (generation !== this._host.generation()) {
      return null;
    }
    if ('ok' in found) {
      return this._fieldDone(found);
    }
    if (found.candidates.length === 1) {
      return this._fill(found.candidates[0], 'env', generation, source);
    }
    if (found.candidates.length === 0 && quietWhenNone) {
      this._field = { status: 'idle' };
      this._host.emit();
      return null;
    }
    if (found.candidates.length === 0) {
      return this._fieldDone({ ok: false, problem: 'no-field', message: found.message, variables: [] });
    }
    this._field = { status: 'choose', candidates: found.candidates };
    this._host.emit();
    return {
      ok: false,
      problem: 'several-fields',
      message: this._trans.__(
        'The notebook has %1 fields that could take the token: pick one in the panel.',
        found.candidates.length
      ),
      variables: []
    };
  }

  /** Fill the candidate the user picked (`literal` only after their confirmation). */
  async fillField(candidate: FieldCandidate, mode: AssignmentMode): Promise<IKernelWriteResult | null> {
    if (this.fieldBusy) {
      return null;
    }
    return this._fill(candidate, mode, this._host.generation(), this._held.token);
  }

  /** The token field(s) of a given notebook (not the panel's state: e.g. for a notification). */
  async findFieldsIn(notebook: INotebookHandle): Promise<IFieldSearch | IKernelWriteResult> {
    const find = this._deps.findFieldsIn;
    if (!find) {
      return { candidates: [], message: '' };
    }
    try {
      return await find(notebook, this._held.settings().notebookFieldName);
    } catch (error) {
      return unreachableKernel(error, this._trans);
    }
  }

  /**
   * Fill a widget field of a given notebook with the token from `source`,
   * recording the kernel; null for other candidates (a cell is only rewritten from the panel) or when it
   * cannot be filled from here.
   */
  async fillFieldIn(
    notebook: INotebookHandle,
    candidate: FieldCandidate,
    source: TokenSource = this._held.token
  ): Promise<IKernelWriteResult | null> {
    const fill = this._deps.fillFieldIn;
    if (!fill || candidate.kind !== 'widget') {
      return null;
    }
    const token = await take(source, this._trans);
    if (typeof token !== 'string') {
      return token;
    }
    let result: IKernelWriteResult;
    try {
      const settings = this._held.settings();
      result = await fill(notebook, candidate, token, 'env', settings.environmentVariables, settings.notebookFieldName);
    } catch (error) {
      result = unreachableKernel(error, this._trans);
    }
    this._recordHolder(result);
    return result;
  }

  private async _fill(
    candidate: FieldCandidate,
    mode: AssignmentMode,
    generation: number,
    source: TokenSource
  ): Promise<IKernelWriteResult | null> {
    const fill = this._deps.fillField;
    if (!fill) {
      return null;
    }
    this._field = { status: 'writing' };
    this._host.emit();
    let result: IKernelWriteResult;
    const token = await take(source, this._trans);
    if (typeof token !== 'string') {
      result = token;
    } else {
      try {
        const settings = this._held.settings();
        result = await fill(candidate, token, mode, settings.environmentVariables, settings.notebookFieldName);
      } catch (error) {
        result = unreachableKernel(error, this._trans);
      }
    }
    // The kernel has the token whatever happened meanwhile: Forget must know it.
    this._recordHolder(result);
    if (generation !== this._host.generation()) {
      return null;
    }
    return this._fieldDone(result);
  }

  private _fieldDone(result: IKernelWriteResult): IKernelWriteResult {
    this._field = { status: 'done', result };
    this._host.emit();
    return result;
  }

  private _host: IModelHost;
  private _held: IHeldToken;
  private _deps: IDeliveryDeps;
  private _recordHolder: RecordHolder;
  private _trans: Trans;
  private _kernelWrite: KernelWriteState = { status: 'idle' };
  private _field: FieldState = { status: 'idle' };
}

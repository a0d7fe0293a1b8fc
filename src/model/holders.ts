/**
 * What still holds the token after Forget: running kernels that received its
 * variables (from this panel or from the server at start) and terminals
 * started while the server held it; and the ways to take it out of them.
 */
import type { Trans } from '../i18n';
import type { IKernelWriteResult } from '../kernel/environment';
import type { IServerStatus } from '../server/api';
import type { IModelHost } from './host';

/** What the holders need from JupyterLab (all optional: tests and older hosts). */
export interface IHolderDeps {
  /** A name for a running kernel (its notebook or console path). */
  describeKernel?(kernelId: string): string;
  /** Refresh what describeKernel knows (paths change when notebooks are renamed). */
  refreshKernelNames?(): Promise<void>;
  /** Remove the variables from these running kernels; resolves to the ids cleared. */
  clearKernels?(kernelIds: readonly string[], names: readonly string[]): Promise<string[]>;
  /** Restart these running kernels (clears their initial environment); resolves to the ids done. */
  restartKernels?(kernelIds: readonly string[]): Promise<string[]>;
  /** JupyterLab's terminal manager (`serviceManager.terminals`), to close terminals started with the token. */
  terminals?: { shutdown(name: string): Promise<void> };
}

export class TokenHolders {
  constructor(host: IModelHost, deps: IHolderDeps, trans: Trans) {
    this._host = host;
    this._deps = deps;
    this._trans = trans;
  }

  /** Remember a kernel that received the variables, to clear it after Forget (no emit). */
  record(result: IKernelWriteResult): void {
    if (result.ok && result.kernelId) {
      this._kernels.add(result.kernelId);
      for (const name of result.variables) {
        this._variables.add(name);
      }
    }
  }

  /**
   * Take in what the answer to a forget says still holds the token (with the
   * `variables` the forgotten entry had), then emit.
   */
  takeServerStatus(status: IServerStatus, variables: readonly string[]): void {
    this._addHolders(status.stillRunning ?? [], status.stillRunningTerminals ?? [], variables);
    this._host.emit();
    if (this._kernels.size > 0 && this._deps.refreshKernelNames) {
      void this._deps.refreshKernelNames().then(
        () => this._host.emit(),
        () => undefined
      );
    }
  }

  /**
   * Kernels and terminals of a token forgotten elsewhere (another tab, before
   * a reload) that still run: they still have it (no emit).
   */
  addForgotten(kernels: readonly string[], terminals: readonly string[], variables: readonly string[]): void {
    this._addHolders(kernels, terminals, variables);
  }

  private _addHolders(kernels: readonly string[], terminals: readonly string[], variables: readonly string[]): void {
    for (const id of kernels) {
      this._kernels.add(id);
    }
    for (const name of terminals) {
      this._terminals.add(name);
    }
    for (const name of variables) {
      this._variables.add(name);
    }
  }

  /** Running kernels that were given the token. */
  get kernels(): string[] {
    return [...this._kernels];
  }

  /** Names of {@link kernels}, e.g. their notebooks' paths. */
  get kernelLabels(): string[] {
    return this.kernels.map(id => this._kernelLabel(id));
  }

  /**
   * Remove the variables (those in force when the kernels got the token, and
   * `currentNames`) from the kernels that still hold it.
   */
  async clearKernels(currentNames: readonly string[]): Promise<string[]> {
    const ids = [...this._kernels];
    if (!ids.length || !this._deps.clearKernels) {
      return [];
    }
    const names = [...new Set([...this._variables, ...currentNames])];
    const cleared = await this._deps.clearKernels(ids, names);
    for (const id of cleared) {
      this._kernels.delete(id);
      // os.environ is clean, the process's initial environment is not.
      this._restartAdvised.add(id);
    }
    this._host.emit();
    return cleared;
  }

  /** Cleared kernels whose initial process environment may still hold the token: only a restart clears that. */
  get kernelsToRestart(): string[] {
    return [...this._restartAdvised];
  }

  get kernelsToRestartLabels(): string[] {
    return this.kernelsToRestart.map(id => this._kernelLabel(id));
  }

  get canRestartKernels(): boolean {
    return !!this._deps.restartKernels;
  }

  get restartBusy(): boolean {
    return this._restartBusy;
  }

  /** Restart the kernels still holding the token, cleared or not. Resolves to the ids restarted. */
  async restartKernels(): Promise<string[]> {
    const ids = [...new Set([...this._kernels, ...this._restartAdvised])];
    if (!ids.length || !this._deps.restartKernels || this._restartBusy) {
      return [];
    }
    this._restartBusy = true;
    this._host.emit();
    let done: string[] = [];
    try {
      done = await this._deps.restartKernels(ids);
    } finally {
      this._restartBusy = false;
    }
    for (const id of done) {
      this._kernels.delete(id);
      this._restartAdvised.delete(id);
    }
    this._host.emit();
    return done;
  }

  /** Running terminals started while the server held the token. */
  get terminals(): string[] {
    return [...this._terminals];
  }

  get canCloseTerminals(): boolean {
    return !!this._deps.terminals;
  }

  /** The last failure closing terminals, or ''. */
  get terminalError(): string {
    return this._terminalError;
  }

  /**
   * Close the terminals that still hold the token (the only way to take it
   * out of their shells). Those that could not be closed stay listed, with
   * {@link terminalError} saying why.
   */
  async closeTerminals(): Promise<string[]> {
    const terminals = this._deps.terminals;
    const names = [...this._terminals];
    if (!terminals || !names.length) {
      return [];
    }
    const closed: string[] = [];
    const failed: string[] = [];
    for (const name of names) {
      try {
        await terminals.shutdown(name);
        closed.push(name);
      } catch (error) {
        // Already gone (404): nothing holds the token there any more.
        if ((error as { response?: Response })?.response?.status === 404) {
          closed.push(name);
        } else {
          failed.push(name);
        }
      }
    }
    for (const name of closed) {
      this._terminals.delete(name);
    }
    this._terminalError = failed.length
      ? this._trans._n(
          'Terminal %2 could not be closed. Close it from the Running Terminals and Kernels panel.',
          'Terminals %2 could not be closed. Close them from the Running Terminals and Kernels panel.',
          failed.length,
          failed.join(', ')
        )
      : '';
    this._host.emit();
    return closed;
  }

  private _kernelLabel(id: string): string {
    return this._deps.describeKernel?.(id) || this._trans.__('kernel %1', id.slice(0, 8));
  }

  private _host: IModelHost;
  private _deps: IHolderDeps;
  private _trans: Trans;
  private _kernels = new Set<string>();
  private _variables = new Set<string>();
  private _restartAdvised = new Set<string>();
  private _restartBusy = false;
  private _terminals = new Set<string>();
  private _terminalError = '';
}

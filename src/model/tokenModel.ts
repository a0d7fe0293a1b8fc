/**
 * The state of the guided flow, shared by the sidebar panel and the commands.
 * The token lives in this object's memory only: never in settings, storage or logs.
 *
 * The model owns the draft, the settings and the steps, and composes the parts
 * that do the work: verification, delivery (kernel, notebook field), the holders
 * (what still has the token after Forget) and the server state.
 */
import { VDomModel } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import type { Trans } from '../i18n';
import type { IGitHubTokenSettings } from '../settings';
import { DEFAULT_SETTINGS } from '../settings';
import { apiBaseUrlProblem, urlHost } from '../github/apiBaseUrl';
import { checkTokenFormat } from '../token/format';
import { maskToken } from '../token/mask';
import type { ITokenFormatCheck } from '../token/format';
import type { IKernelWriteResult } from '../kernel/environment';
import type { AssignmentMode, FieldCandidate } from '../notebook/fieldWriter';
import type { IServerStatus } from '../server/api';
import type { IGitHubTokenModel } from '../tokens';
import { Delivery, holdRequest } from './delivery';
import type { FieldState, IDeliveryDeps, KernelWriteState } from './delivery';
import { TokenHolders } from './holders';
import type { IHolderDeps } from './holders';
import type { IModelHost } from './host';
import { ServerState } from './serverState';
import type { IServerDeps } from './serverState';
import { repositoryProblem, Verification } from './verification';
import type { RequestVerification, VerifyState } from './verification';

/** The four steps of the guide. */
export const STEPS = ['access', 'create', 'verify', 'use'] as const;
export type Step = (typeof STEPS)[number];

/** What the model needs from the outside world. */
export interface ITokenModelDeps extends IDeliveryDeps, IHolderDeps {
  requestVerification: RequestVerification;
  /** The token was forgotten: drop what was derived from it elsewhere. */
  forgotten?(): void;
  saveChoice?(key: 'accessLevel' | 'tokenType', value: string): Promise<void>;
  /** The Jupyter server extension, when installed (see server/api). */
  server?: IServerDeps;
  trans: Trans;
}

/**
 * A `VDomModel`, as JupyterLab's models are: every change of state is its
 * `stateChanged` signal, which the view (panel/TokenPanel) re-renders on.
 */
export class GitHubTokenModel extends VDomModel implements IGitHubTokenModel {
  constructor(deps: ITokenModelDeps) {
    super();
    this._deps = deps;
    this._trans = deps.trans;
    const host: IModelHost = { emit: () => this._emit(), generation: () => this._generation };
    this._verification = new Verification(host, deps.requestVerification, deps.trans);
    this._holders = new TokenHolders(host, deps, deps.trans);
    this._delivery = new Delivery(
      host,
      { token: () => this._format?.token ?? '', settings: () => this._settings },
      deps,
      result => this._holders.record(result),
      deps.trans
    );
    this._server = new ServerState(host, deps.server, this._holders, deps.trans);
  }

  /** Emitted when the panel should take keyboard focus (e.g. from a command). */
  get focusRequested(): ISignal<this, void> {
    return this._focusRequested;
  }

  get settings(): Readonly<IGitHubTokenSettings> {
    return this._settings;
  }

  set settings(value: Readonly<IGitHubTokenSettings>) {
    const repoWasDefault = this._repository === this._settings.defaultRepository;
    if (
      value.accessLevel !== this._settings.accessLevel ||
      value.apiBaseUrl !== this._settings.apiBaseUrl ||
      value.webBaseUrl !== this._settings.webBaseUrl
    ) {
      // A verification in flight answers for the old access level or host.
      this._generation++;
      this._verification.cancel();
    }
    this._settings = value;
    if (repoWasDefault) {
      this._repository = value.defaultRepository;
    }
    this._emit();
  }

  get step(): Step {
    return this._step;
  }

  set step(value: Step) {
    if (value !== this._step) {
      this._step = value;
      this._emit();
    }
  }

  /** Go to a step and move keyboard focus to it (for buttons that change the step). */
  goTo(step: Step): void {
    this.step = step;
    this.requestFocus();
  }

  /** Ask the view to focus itself (now, or as soon as it is rendered). */
  requestFocus(): void {
    this._focusPending = true;
    this._focusRequested.emit();
  }

  /** Called by the view: whether a focus request is waiting, clearing it. */
  takeFocusRequest(): boolean {
    const pending = this._focusPending;
    this._focusPending = false;
    return pending;
  }

  /** Tick or untick one item of the creation checklist. */
  toggleChecklistItem(id: string): void {
    if (this._checked.has(id)) {
      this._checked.delete(id);
    } else {
      this._checked.add(id);
    }
    this._emit();
  }

  isChecked(id: string): boolean {
    return this._checked.has(id);
  }

  /** Change the access level or token type; persisted as a (non-secret) setting. */
  async choose(key: 'accessLevel' | 'tokenType', value: string): Promise<void> {
    this._settings = { ...this._settings, [key]: value };
    this._checked.clear();
    this._generation++;
    this._verification.reset();
    this._emit();
    await this._deps.saveChoice?.(key, value);
  }

  /** The token as typed (the input is controlled by the model). */
  get draft(): string {
    return this._draft;
  }

  set draft(value: string) {
    if (value === this._draft) {
      return;
    }
    this._draft = value;
    this._generation++;
    this._format = value ? checkTokenFormat(value, this._trans) : null;
    this._verification.reset();
    this._delivery.reset();
    this._emit();
  }

  /** Offline check of the draft, or null when empty. */
  get format(): ITokenFormatCheck | null {
    return this._format;
  }

  /** Whether anything was typed or pasted (even malformed): Forget applies. */
  get hasDraft(): boolean {
    return this._draft !== '';
  }

  /** Whether a well-formed token is held. */
  get hasToken(): boolean {
    return !!this._format && this._format.ok;
  }

  /** The token, masked for display (`ghp_...abcd`), or '' when none. */
  get masked(): string {
    return this._format?.ok ? maskToken(this._format.token) : '';
  }

  /** The GitHub account the token was verified as, or null. */
  get login(): string | null {
    const state = this.verifyState;
    return (state.status === 'done' && state.report.account?.login) || null;
  }

  get repository(): string {
    return this._repository;
  }

  set repository(value: string) {
    this._repository = value;
    this._emit();
  }

  get verifyState(): VerifyState {
    return this._verification.state;
  }

  get kernelWriteState(): KernelWriteState {
    return this._delivery.kernelWriteState;
  }

  get fieldState(): FieldState {
    return this._delivery.fieldState;
  }

  /** Whether a notebook field search or write is under way. */
  get fieldBusy(): boolean {
    return this._delivery.fieldBusy;
  }

  /**
   * Fill the active notebook's token field: with one candidate, fill it; with
   * several, list them for the user to pick (state `choose`).
   */
  async writeToNotebookField(): Promise<IKernelWriteResult | null> {
    return this.hasToken ? this._delivery.writeToNotebookField() : null;
  }

  /** Fill the candidate the user picked (`literal` only after their confirmation). */
  async fillField(candidate: FieldCandidate, mode: AssignmentMode = 'env'): Promise<IKernelWriteResult | null> {
    return this.hasToken ? this._delivery.fillField(candidate, mode) : null;
  }

  /** Why the repository field cannot be used, or '' when it is empty or valid. */
  get repositoryProblem(): string {
    return repositoryProblem(this._repository, this._trans);
  }

  /** The host the token is sent to by Verify, or '' when the setting is unusable. */
  get apiHost(): string {
    return urlHost(this._settings.apiBaseUrl, '');
  }

  /**
   * Why Verify may not send the token to the API base URL, or '' when it may:
   * only https, or http to this machine (loopback), ever carries the token.
   */
  get apiUrlProblem(): string {
    return apiBaseUrlProblem(this._settings.apiBaseUrl, this._trans);
  }

  /** Verify the held token against the GitHub API (through the server when it may call this API). */
  async verify(): Promise<VerifyState> {
    const format = this._format;
    if (!format?.ok || this.verifyState.status === 'verifying' || this.repositoryProblem || this.apiUrlProblem) {
      return this.verifyState;
    }
    return this._verification.run({
      format,
      repository: this._repository,
      settings: this._settings,
      transport: this._server.transportFor(this._settings.apiBaseUrl)
    });
  }

  /** Write the held token to the active notebook's kernel environment. */
  async writeToKernel(): Promise<IKernelWriteResult | null> {
    return this.hasToken ? this._delivery.writeToKernel() : null;
  }

  /**
   * Drop the token and everything learnt about it, here and on the server.
   * Kernels that received it keep it in their environment: they are listed in
   * `kernelsHoldingToken` so that the user can clear them too.
   */
  forget(): void {
    this._generation++;
    this._draft = '';
    this._format = null;
    this._verification.reset();
    this._delivery.reset();
    this._deps.forgotten?.();
    this._emit();
    this._server.forget();
  }

  /** The last failure talking to the server extension, or ''. */
  get serverError(): string {
    return this._server.error;
  }

  /** Running kernels that were given the token (by this panel or at start). */
  get kernelsHoldingToken(): string[] {
    return this._holders.kernels;
  }

  /** Names of the kernels in `kernelsHoldingToken`, e.g. their notebooks' paths. */
  get kernelsHoldingTokenLabels(): string[] {
    return this._holders.kernelLabels;
  }

  /** Remove the variables from the kernels that still hold the token. */
  async clearKernels(): Promise<string[]> {
    return this._holders.clearKernels(this._settings.environmentVariables);
  }

  /**
   * Kernels cleared with {@link clearKernels} whose initial process
   * environment (`/proc/<pid>/environ`) may still hold the token: only a
   * restart clears that.
   */
  get kernelsToRestart(): string[] {
    return this._holders.kernelsToRestart;
  }

  /** Names of the kernels in `kernelsToRestart`. */
  get kernelsToRestartLabels(): string[] {
    return this._holders.kernelsToRestartLabels;
  }

  /** Whether kernels can be restarted from here. */
  get canRestartKernels(): boolean {
    return this._holders.canRestartKernels;
  }

  /** Restart the kernels still holding the token, cleared or not. Resolves to the ids restarted. */
  async restartKernels(): Promise<string[]> {
    return this._holders.restartKernels();
  }

  /** Whether a restart of kernels is under way. */
  get restartBusy(): boolean {
    return this._holders.restartBusy;
  }

  /** Names of running terminals started while the server held the token (after Forget). */
  get terminalsHoldingToken(): string[] {
    return this._holders.terminals;
  }

  /** Whether terminals can be closed from here. */
  get canCloseTerminals(): boolean {
    return this._holders.canCloseTerminals;
  }

  /** The last failure closing terminals, or ''. */
  get terminalError(): string {
    return this._holders.terminalError;
  }

  /** Close the terminals that still hold the token. Resolves to the names closed. */
  async closeTerminals(): Promise<string[]> {
    return this._holders.closeTerminals();
  }

  /** The host (of the API base URL) the server-held token is bound to, or '' when unknown. */
  get serverTokenHost(): string {
    return this._server.tokenHost;
  }

  /**
   * Whether the server holds a token bound to another API base URL than the
   * one in the settings (verifying here would be about another host).
   */
  get serverTokenForOtherHost(): boolean {
    return this._server.tokenForOtherHost(this._settings.apiBaseUrl);
  }

  /** The server extension's status: undefined until asked, null when absent. */
  get server(): IServerStatus | null | undefined {
    return this._server.status;
  }

  /** Ask the server extension whether it is there and what it holds. */
  async refreshServer(): Promise<IServerStatus | null> {
    return this._server.refresh();
  }

  /** Whether new kernels and terminals get the token from the server. */
  get usedForNewKernels(): boolean {
    return this._server.usedForNewKernels;
  }

  /**
   * Give the held token to the server for every new kernel and terminal, or
   * take it back. Returns an error message, or '' on success.
   */
  async useForNewKernels(on: boolean): Promise<string> {
    if (!on) {
      return this._server.release();
    }
    const format = this._format;
    return this._server.hold(
      format?.ok
        ? holdRequest(format.token, this._settings, this.verifyState, this._verification.verifiedApiBaseUrl)
        : null
    );
  }

  /**
   * Drop the token from memory and disconnect every listener. Answers still in
   * flight find a new generation (a verification or field search is dropped)
   * and emit nothing. Nothing is sent to the server: disposing is not Forget.
   */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._generation++;
    this._draft = '';
    this._format = null;
    this._verification.reset();
    this._delivery.reset();
    // Clears both signals: the model is the sender of each.
    super.dispose();
  }

  private _emit(): void {
    if (!this.isDisposed) {
      this.stateChanged.emit();
    }
  }

  private _deps: ITokenModelDeps;
  private _trans: Trans;
  private _verification: Verification;
  private _delivery: Delivery;
  private _holders: TokenHolders;
  private _server: ServerState;
  private _settings: Readonly<IGitHubTokenSettings> = DEFAULT_SETTINGS;
  private _step: Step = 'access';
  private _checked = new Set<string>();
  private _draft = '';
  private _format: ITokenFormatCheck | null = null;
  private _repository = DEFAULT_SETTINGS.defaultRepository;
  private _focusPending = false;
  /** Bumped whenever an answer in flight would no longer be about the current state. */
  private _generation = 0;
  private _focusRequested = new Signal<this, void>(this);
}

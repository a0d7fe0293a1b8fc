/**
 * The state of the guided flow, shared by the sidebar panel and the commands.
 * With the server extension, the token's home is the Jupyter server (one per
 * API base URL, see serverState): the page is a view of it, and holds a raw
 * token only as the draft being pasted, until it is verified and held there.
 * Without the extension the draft stays in this object's memory only: never
 * in settings, storage or logs.
 *
 * The model owns the draft, the settings and the steps, and composes the parts
 * that do the work: verification, delivery (kernel, notebook field), the holders
 * (what still has the token after Forget) and the session with the server
 * (the held token, keychain and new-kernels choices, reveal).
 */
import { VDomModel } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import type { Trans } from '../i18n';
import type { IGitHubTokenSettings, SavedSettingKey } from '../settings';
import { DEFAULT_SETTINGS } from '../settings';
import { apiBaseUrlProblem, urlHost } from '../github/apiBaseUrl';
import { checkTokenFormat } from '../token/format';
import { maskToken } from '../token/mask';
import type { ITokenFormatCheck } from '../token/format';
import type { IKernelWriteResult } from '../kernel/environment';
import type { AssignmentMode, FieldCandidate, IFieldSearch, INotebookHandle } from '../notebook/fieldWriter';
import type { IHeldTokenStatus, IKeychainStatus, IServerStatus } from '../server/api';
import type { IGitHubTokenModel } from '../tokens';
import { Delivery, unreachableKernel } from './delivery';
import type {
  FieldState,
  IDeliveryDeps,
  IUseInNotebookResult,
  KernelWriteState,
  TokenSource,
  UseState
} from './delivery';
import { TokenHolders } from './holders';
import type { IHolderDeps } from './holders';
import type { IModelHost } from './host';
import type { IServerDeps, VerificationRoute } from './serverState';
import { TokenSession } from './session';
import { repositoryProblem, Verification } from './verification';
import type { IVerifyRound, RequestVerification, VerifyState } from './verification';

/** The four steps of the guide. */
export const STEPS = ['access', 'create', 'verify', 'use'] as const;
export type Step = (typeof STEPS)[number];

/** What the model needs from the outside world. */
export interface ITokenModelDeps extends IDeliveryDeps, IHolderDeps {
  requestVerification: RequestVerification;
  /** The token was forgotten: drop what was derived from it elsewhere. */
  forgotten?(): void;
  /** Save a non-secret choice as a setting. */
  saveChoice?(key: SavedSettingKey, value: string | boolean): Promise<void>;
  /** The Jupyter server extension, when installed (see server/api). */
  server?: IServerDeps;
  /**
   * Resolves once the user's settings are applied to the model (or known to
   * be the defaults); omitted: the defaults are final.
   */
  settingsReady?: Promise<unknown>;
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
      { token: () => this._session.tokenSource()(), settings: () => this._settings },
      deps,
      result => this._record(result),
      deps.trans
    );
    this._session = new TokenSession(
      host,
      {
        settings: () => this._settings,
        updateSettings: patch => {
          this._settings = { ...this._settings, ...patch };
        },
        format: () => this._format,
        dropDraft: () => {
          this._draft = '';
          this._format = null;
          this._emit();
        },
        verifyState: () => this.verifyState,
        verifiedApiBaseUrl: () => this._verification.verifiedApiBaseUrl,
        heldChanged: () => this._heldChanged(),
        saveChoice: deps.saveChoice
      },
      deps.server,
      this._holders,
      deps.settingsReady ?? Promise.resolve(),
      deps.trans
    );
    this._server = this._session.server;
    // Another tab's Forget or new token shows here within seconds.
    this._unsubscribe = this._server.listen();
  }

  /**
   * Resolves once the server's first status and the user's settings are
   * known (what is held, for which API base URL, with which field name).
   */
  ready(): Promise<void> {
    return this._session.ready();
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

  /**
   * Open where the user is: the held (or verified) token's use when there is
   * one, the paste step for a draft, the first step otherwise.
   */
  async openWhereUserIs(): Promise<void> {
    // Just loaded (a new tab, a reload): what the server holds decides where the user is.
    await this._server.known();
    const state = this.verifyState;
    const verified = !!this._format?.ok && state.status === 'done' && state.report.ok;
    this.goTo(this.held || verified ? 'use' : this._format ? 'verify' : 'access');
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
    this._use = { status: 'idle' };
    this._emit();
    if (this._format?.ok) {
      // A pasted well-formed token is verified at once; after the caller's
      // synchronous updates (settings, repository, an explicit verify()),
      // and only if nothing changed the draft or started a round meanwhile.
      const generation = this._generation;
      void Promise.resolve().then(() => {
        if (!this.isDisposed && generation === this._generation && this.verifyState.status === 'idle') {
          void this.verify();
        }
      });
    }
  }

  /** Offline check of the draft, or null when empty. */
  get format(): ITokenFormatCheck | null {
    return this._format;
  }

  /** Whether anything was typed or pasted (even malformed): Forget applies. */
  get hasDraft(): boolean {
    return this._draft !== '';
  }

  /** Whether there is a token to use: a well-formed draft, or one the server holds for the API base URL. */
  get hasToken(): boolean {
    return !!this._format?.ok || this.held !== null;
  }

  /** The token the server holds for the settings' API base URL (null when none, or no extension). */
  get held(): IHeldTokenStatus | null {
    return this._session.held;
  }

  /** The token, masked for display (`ghp_...abcd`): the draft's, else the held one's; '' when none. */
  get masked(): string {
    return this._format?.ok ? maskToken(this._format.token) : (this.held?.masked ?? '');
  }

  /** The GitHub account the token was verified as (the draft's verification, else the held token's), or null. */
  get login(): string | null {
    const state = this.verifyState;
    const verified = state.status === 'done' ? state.report.account?.login : undefined;
    return verified || (this._format?.ok ? null : (this.held?.login ?? null));
  }

  /** How Verify reaches GitHub for the settings' API base URL. */
  get verificationRoute(): VerificationRoute {
    return this._server.route(this._settings.apiBaseUrl);
  }

  /** Whether the server can remember tokens in the OS keychain (null: no extension, or not asked yet). */
  get keychain(): IKeychainStatus | null {
    return this._server.keychain;
  }

  /** The "Remember on this computer" setting. */
  get remember(): boolean {
    return this._session.remember;
  }

  /** Turn "Remember on this computer" on or off (setting and held token). Returns an error message, or ''. */
  async setRemember(on: boolean): Promise<string> {
    return this._session.setRemember(on);
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

  /**
   * The token field(s) of a given notebook (the displayed-only rule
   * applies); not the panel's state. Once the server's status and the
   * settings are known; a failure when the held token is refused by GitHub
   * (nothing to offer).
   */
  async findFieldsIn(notebook: INotebookHandle): Promise<IFieldSearch | IKernelWriteResult> {
    await this.ready();
    const refusal = this._session.heldRefusal();
    return refusal ? unreachableKernel(new Error(refusal), this._trans, true) : this._delivery.findFieldsIn(notebook);
  }

  /**
   * Fill a widget field of a given notebook with the HELD token (the
   * auto-fill names its account; a draft is not it): null when none is
   * held, or for a cell.
   */
  async fillFieldIn(notebook: INotebookHandle, candidate: FieldCandidate): Promise<IKernelWriteResult | null> {
    await this.ready();
    return this.held ? this._delivery.fillFieldIn(notebook, candidate, this._session.heldSource()) : null;
  }

  get useState(): UseState {
    return this._use;
  }

  /**
   * "Use in this notebook": the active notebook's kernel environment, then,
   * when the notebook shows a token field, that field (one: filled; several:
   * listed to pick, see fieldState). A held token is fetched from the server
   * once for both and dropped after. Null when nothing was tried.
   */
  async useInNotebook(): Promise<IUseInNotebookResult | null> {
    if (!this.hasToken || this._use.status === 'working') {
      return null;
    }
    const generation = this._generation;
    const refusal = this._format?.ok ? '' : this._session.heldRefusal();
    if (refusal) {
      // GitHub refuses the held token: nothing is delivered, the user is told what to do.
      const result: IUseInNotebookResult = {
        kernel: unreachableKernel(new Error(refusal), this._trans, true),
        field: null
      };
      this._use = { status: 'done', result };
      this._emit();
      return result;
    }
    this._use = { status: 'working' };
    this._emit();
    const base = this._session.tokenSource();
    let once: Promise<string> | null = null;
    const source: TokenSource = () => {
      if (!once) {
        once = base();
      }
      return once;
    };
    const kernel = await this._delivery.writeToKernel(source);
    let field: IKernelWriteResult | null = null;
    if (kernel && generation === this._generation && kernel.problem !== 'no-notebook') {
      field = await this._delivery.writeToNotebookField(source, true);
    }
    once = null;
    if (generation !== this._generation) {
      return null;
    }
    if (!kernel) {
      this._use = { status: 'idle' };
      this._emit();
      return null;
    }
    const result: IUseInNotebookResult = { kernel, field };
    this._use = { status: 'done', result };
    this._emit();
    return result;
  }

  /**
   * Record a kernel that got the token by another path (e.g. the leak guard's
   * "Replace with environment read"), here and on the server, so that Forget
   * in any tab lists it.
   */
  recordDelivery(result: IKernelWriteResult): void {
    this._record(result);
    this._emit();
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

  /**
   * Verify the draft (or, without one, the held token, fetched from the
   * server for this round) against the GitHub API, through the server when it
   * may call this API. After an ok report the server holds the token (when it
   * may call that API) and the raw draft is dropped from the page.
   */
  async verify(): Promise<VerifyState> {
    const format = this._format;
    const held = format ? null : this.held;
    if (
      (!format?.ok && !held) ||
      this.verifyState.status === 'verifying' ||
      this.repositoryProblem ||
      this.apiUrlProblem
    ) {
      return this.verifyState;
    }
    const generation = this._generation;
    const settings = this._settings;
    const repository = this._repository;
    // The route is the server's (once it answered: a token pasted right after a reload is held too).
    const answered = this._server.answered;
    const base = () => ({
      repository,
      settings,
      transport: this._server.transportFor(settings.apiBaseUrl),
      route: this._server.route(settings.apiBaseUrl)
    });
    // The token of this round, local to it: dropped when verify() returns.
    let token = format?.ok ? format.token : '';
    const round: IVerifyRound | Promise<IVerifyRound | null> = format?.ok
      ? answered
        ? { ...base(), format }
        : this._server.known().then(
            () => ({ ...base(), format }),
            () => ({ ...base(), format })
          )
      : // No well-formed draft: `held` is set (checked above).
        this._session.server.reveal(held!.apiBaseUrl).then(
          revealed => {
            const checked = checkTokenFormat(revealed, this._trans);
            token = checked.ok ? checked.token : '';
            return checked.ok ? { ...base(), format: checked } : null;
          },
          () => null
        );
    const state = await this._verification.run(round);
    const current = generation === this._generation && state === this.verifyState;
    if (token && current && state.status === 'done' && state.report.ok) {
      await this._session.holdVerified(token, state, held);
    }
    token = '';
    return state;
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
    this._use = { status: 'idle' };
    this._deps.forgotten?.();
    // The entry of this URL, in memory and in the keychain; this tab stops showing it at once.
    this._server.forget(this._settings.apiBaseUrl);
    this._emit();
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

  /** The server extension's status: undefined until asked, null when absent. */
  get server(): IServerStatus | null | undefined {
    return this._server.status;
  }

  /** Ask the server extension whether it is there and what it holds (also on each of its token events). */
  async refreshServer(): Promise<IServerStatus | null> {
    const first = this._server.status === undefined;
    const status = await this._server.refresh();
    // The server's first answer in this tab: a token it already holds is where the
    // user is (the panel opened from its icon), unless they have moved on already.
    if (first && this.held && this._step === 'access' && !this.hasDraft) {
      this.step = 'use';
    }
    return status;
  }

  /** Whether new kernels and terminals get the held token of the settings' API base URL. */
  get usedForNewKernels(): boolean {
    return this._session.usedForNewKernels;
  }

  /** Give the token to every new kernel and terminal, or stop (a draft is held first): an error message, or ''. */
  async useForNewKernels(on: boolean): Promise<string> {
    return this._session.useForNewKernels(on);
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
    this._unsubscribe();
    // Clears both signals: the model is the sender of each.
    super.dispose();
  }

  private _emit(): void {
    if (!this.isDisposed) {
      this.stateChanged.emit();
    }
  }

  /** A kernel that got the token: for Forget here, and on the server for every tab. */
  private _record(result: IKernelWriteResult): void {
    this._holders.record(result);
    this._session.record(result);
  }

  /** The token held for the settings' URL is gone or replaced elsewhere: what was learnt of it goes too. */
  private _heldChanged(): void {
    if (this._format) {
      // The report and deliveries are about the draft, not the held token.
      return;
    }
    this._generation++;
    this._verification.reset();
    this._delivery.reset();
    this._use = { status: 'idle' };
  }

  private _deps: ITokenModelDeps;
  private _trans: Trans;
  private _verification: Verification;
  private _delivery: Delivery;
  private _holders: TokenHolders;
  private _session: TokenSession;
  /** The session's exchange with the server (status, route, errors). */
  private _server: TokenSession['server'];
  private _unsubscribe: () => void;
  private _use: UseState = { status: 'idle' };
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

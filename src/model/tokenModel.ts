/**
 * The state of the guided flow, shared by the sidebar panel and the commands.
 * The token lives in this object's memory only: never in settings, storage or logs.
 */
import { ISignal, Signal } from '@lumino/signaling';
import type { Trans } from '../i18n';
import { defaultTrans } from '../i18n';
import type { IGitHubTokenSettings } from '../settings';
import { DEFAULT_SETTINGS } from '../settings';
import { apiBaseUrlProblem, urlHost } from '../github/apiBaseUrl';
import { checkTokenFormat, maskToken } from '../token/format';
import type { TokenFormatCheck } from '../token/format';
import { buildVerifyReport, parseRepoFullName } from '../github/responses';
import type { VerifyReport } from '../github/responses';
import type { IVerifyOutcomes, IVerifyRequest } from '../github/client';
import type { IKernelWriteResult } from '../kernel/environment';
import type { AssignmentMode, FieldCandidate, IFieldSearch } from '../notebook/fieldWriter';
import type { IHoldRequest, IServerStatus } from '../server/api';

/** The four steps of the guide. */
export const STEPS = ['access', 'create', 'verify', 'use'] as const;
export type Step = (typeof STEPS)[number];

/** Verification progress. */
export type VerifyState =
  { status: 'idle' } | { status: 'verifying' } | { status: 'done'; report: VerifyReport; repository?: string };

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

/** What the model needs from the outside world. */
export interface ITokenModelDeps {
  requestVerification(options: IVerifyRequest): Promise<IVerifyOutcomes>;
  writeToKernel(token: string, names: readonly string[]): Promise<IKernelWriteResult>;
  /** Find the active notebook's token field(s) (see notebookFieldWriter). */
  findFields?(fieldName: string): Promise<IFieldSearch | IKernelWriteResult>;
  /** Put the token into one field of the active notebook. */
  fillField?(
    candidate: FieldCandidate,
    token: string,
    mode: AssignmentMode,
    names: readonly string[],
    fieldName: string
  ): Promise<IKernelWriteResult>;
  /** The token was forgotten: drop what was derived from it elsewhere. */
  forgotten?(): void;
  saveChoice?(key: 'accessLevel' | 'tokenType', value: string): Promise<void>;
  /** The Jupyter server extension, when installed (see serverApi). */
  server?: {
    status(): Promise<IServerStatus | null>;
    hold(body: IHoldRequest): Promise<IServerStatus>;
    forget(): Promise<IServerStatus>;
    fetchFor(apiBaseUrl: string): typeof fetch;
  };
  /** A name for a running kernel (its notebook or console path), for the holders list. */
  describeKernel?(kernelId: string): string;
  /** Refresh what describeKernel knows (paths change when notebooks are renamed). */
  refreshKernelNames?(): Promise<void>;
  /** Remove the variables from these running kernels; resolves to the ids cleared. */
  clearKernels?(kernelIds: readonly string[], names: readonly string[]): Promise<string[]>;
  /** Restart these running kernels (clears their initial environment); resolves to the ids done. */
  restartKernels?(kernelIds: readonly string[]): Promise<string[]>;
  /** JupyterLab's terminal manager (`serviceManager.terminals`), to close terminals started with the token. */
  terminals?: { shutdown(name: string): Promise<void> };
  trans?: Trans;
}

export class GitHubTokenModel {
  constructor(deps: ITokenModelDeps) {
    this._deps = deps;
    this._trans = deps.trans ?? defaultTrans;
  }

  /** Emitted on every change of state. */
  get changed(): ISignal<this, void> {
    return this._changed;
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
      if (this._verify.status === 'verifying') {
        this._verify = { status: 'idle' };
      }
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
    this._verify = { status: 'idle' };
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
    this._verify = { status: 'idle' };
    this._kernelWrite = { status: 'idle' };
    this._field = { status: 'idle' };
    this._emit();
  }

  /** Offline check of the draft, or null when empty. */
  get format(): TokenFormatCheck | null {
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
    return this.hasToken ? maskToken(this._format!.token) : '';
  }

  get repository(): string {
    return this._repository;
  }

  set repository(value: string) {
    this._repository = value;
    this._emit();
  }

  get verifyState(): VerifyState {
    return this._verify;
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

  /**
   * Fill the active notebook's token field: with one candidate, fill it
   * (assignment cells read the environment); with several, list them for
   * the user to pick (state `choose`); with none, say what was looked for.
   */
  async writeToNotebookField(): Promise<IKernelWriteResult | null> {
    const find = this._deps.findFields;
    if (!this.hasToken || !find || this.fieldBusy) {
      return null;
    }
    const generation = this._generation;
    this._field = { status: 'searching' };
    this._emit();
    let found: IFieldSearch | IKernelWriteResult;
    try {
      found = await find(this._settings.notebookFieldName);
    } catch (error) {
      found = this._unreachable(error);
    }
    if (generation !== this._generation) {
      return null;
    }
    if ('ok' in found) {
      return this._fieldDone(found);
    }
    if (found.candidates.length === 1) {
      return this._fill(found.candidates[0], 'env', generation);
    }
    if (found.candidates.length === 0) {
      return this._fieldDone({ ok: false, problem: 'no-field', message: found.message, variables: [] });
    }
    this._field = { status: 'choose', candidates: found.candidates };
    this._emit();
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
  async fillField(candidate: FieldCandidate, mode: AssignmentMode = 'env'): Promise<IKernelWriteResult | null> {
    if (!this.hasToken || this.fieldBusy) {
      return null;
    }
    return this._fill(candidate, mode, this._generation);
  }

  private async _fill(
    candidate: FieldCandidate,
    mode: AssignmentMode,
    generation: number
  ): Promise<IKernelWriteResult | null> {
    const fill = this._deps.fillField;
    if (!fill) {
      return null;
    }
    this._field = { status: 'writing' };
    this._emit();
    let result: IKernelWriteResult;
    try {
      result = await fill(
        candidate,
        this._format!.token,
        mode,
        this._settings.environmentVariables,
        this._settings.notebookFieldName
      );
    } catch (error) {
      result = this._unreachable(error);
    }
    if (generation !== this._generation) {
      return null;
    }
    this._recordHolder(result);
    return this._fieldDone(result);
  }

  private _fieldDone(result: IKernelWriteResult): IKernelWriteResult {
    this._field = { status: 'done', result };
    this._emit();
    return result;
  }

  private _unreachable(error: unknown): IKernelWriteResult {
    return {
      ok: false,
      problem: 'execution-failed',
      message: this._trans.__('Could not reach the kernel: %1', (error as Error)?.message ?? String(error)),
      variables: []
    };
  }

  /** Remember a kernel that received the variables, to clear it after Forget. */
  private _recordHolder(result: IKernelWriteResult): void {
    if (result.ok && result.kernelId) {
      this._holders.add(result.kernelId);
      for (const name of result.variables) {
        this._holderVariables.add(name);
      }
    }
  }

  /** Why the repository field cannot be used, or '' when it is empty or valid. */
  get repositoryProblem(): string {
    const text = this._repository.trim();
    if (!text || parseRepoFullName(text)) {
      return '';
    }
    return this._trans.__('Enter the repository as owner/name, for example octo-org/analysis.');
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

  /** Verify the held token against the GitHub API. */
  async verify(): Promise<VerifyState> {
    const format = this._format;
    if (!format || !format.ok || this._verify.status === 'verifying' || this.repositoryProblem || this.apiUrlProblem) {
      return this._verify;
    }
    const repoText = this._repository.trim();
    const repository = repoText ? parseRepoFullName(repoText) : undefined;
    const token = format.token;
    const generation = this._generation;
    this._verify = { status: 'verifying' };
    this._emit();
    const s = this._settings;
    let state: VerifyState;
    let verifiedAgainst = '';
    try {
      // Through the server when it may call this API; otherwise from the browser.
      const viaServer = !!(this._server && this._deps.server && this._serverAllows(s.apiBaseUrl));
      const outcomes = await this._deps.requestVerification({
        token,
        apiBaseUrl: s.apiBaseUrl,
        repository,
        timeoutMs: s.requestTimeoutSeconds * 1000,
        fetch: viaServer ? this._deps.server!.fetchFor(s.apiBaseUrl) : undefined
      });
      const fullName = repository ? `${repository.owner}/${repository.repo}` : undefined;
      const report = buildVerifyReport(
        {
          tokenKind: format.kind,
          access: s.accessLevel,
          user: outcomes.user,
          repo: fullName && outcomes.repo ? { fullName, outcome: outcomes.repo } : undefined,
          apiBaseUrl: s.apiBaseUrl,
          webBaseUrl: s.webBaseUrl,
          headersComplete: viaServer
        },
        this._trans
      );
      if (!viaServer && report.account) {
        report.notes.push(
          this._trans.__(
            "Verified from the browser, which cannot see the token's expiry (GitHub does not expose that header to web pages). With the server extension enabled, verification goes through the Jupyter server and shows it."
          )
        );
      }
      state = { status: 'done', report, repository: fullName };
      verifiedAgainst = s.apiBaseUrl;
    } catch (error) {
      // Octokit itself could not be loaded (e.g. the server went away).
      const report = buildVerifyReport(
        {
          tokenKind: format.kind,
          access: s.accessLevel,
          user: { kind: 'network', problem: 'unreachable', detail: String(error) },
          apiBaseUrl: s.apiBaseUrl,
          webBaseUrl: s.webBaseUrl
        },
        this._trans
      );
      state = { status: 'done', report };
    }
    // The token, the access level or the host may have changed while we waited.
    if (this._generation === generation) {
      this._verify = state;
      this._verifiedApiBaseUrl = verifiedAgainst;
      this._emit();
    }
    return state;
  }

  /** Write the held token to the active notebook's kernel environment. */
  async writeToKernel(): Promise<IKernelWriteResult | null> {
    if (!this.hasToken || this._kernelWrite.status === 'writing') {
      return null;
    }
    this._kernelWrite = { status: 'writing' };
    this._emit();
    let result: IKernelWriteResult;
    try {
      result = await this._deps.writeToKernel(this._format!.token, this._settings.environmentVariables);
    } catch (error) {
      result = this._unreachable(error);
    }
    this._recordHolder(result);
    this._kernelWrite = { status: 'done', result };
    this._emit();
    return result;
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
    this._verify = { status: 'idle' };
    this._kernelWrite = { status: 'idle' };
    this._field = { status: 'idle' };
    this._deps.forgotten?.();
    this._emit();
    // Always ask the server: another tab may have handed it the token.
    if (this._server && this._deps.server) {
      this._serverError = '';
      void this._deps.server
        .forget()
        .then(status => this._takeServerStatus(status))
        .catch(error => {
          this._serverError = this._trans.__('The server could not forget the token: %1', (error as Error).message);
          this._emit();
        });
    }
  }

  /** The last failure talking to the server extension, or ''. */
  get serverError(): string {
    return this._serverError;
  }

  private _serverAllows(apiBaseUrl: string): boolean {
    const base = apiBaseUrl.replace(/\/+$/, '');
    return (this._server?.allowedApiBaseUrls ?? []).some(url => url.replace(/\/+$/, '') === base);
  }

  /** Record a status from the server, remembering kernels still holding the token. */
  private _takeServerStatus(status: IServerStatus): void {
    this._server = status;
    for (const id of status.stillRunning ?? []) {
      this._holders.add(id);
    }
    for (const name of status.stillRunningTerminals ?? []) {
      this._terminalHolders.add(name);
    }
    for (const name of status.variables ?? []) {
      this._holderVariables.add(name);
    }
    this._emit();
    if (this._holders.size > 0 && this._deps.refreshKernelNames) {
      void this._deps.refreshKernelNames().then(
        () => this._emit(),
        () => undefined
      );
    }
  }

  /** Running kernels that were given the token (by this panel or at start). */
  get kernelsHoldingToken(): string[] {
    return [...this._holders];
  }

  /** Names of the kernels in `kernelsHoldingToken`, e.g. their notebooks' paths. */
  get kernelsHoldingTokenLabels(): string[] {
    return this.kernelsHoldingToken.map(id => this._kernelLabel(id));
  }

  private _kernelLabel(id: string): string {
    return this._deps.describeKernel?.(id) || this._trans.__('kernel %1', id.slice(0, 8));
  }

  /** Remove the variables from the kernels that still hold the token. */
  async clearKernels(): Promise<string[]> {
    const ids = [...this._holders];
    if (!ids.length || !this._deps.clearKernels) {
      return [];
    }
    // The names in force when the kernels got the token, and today's.
    const names = [...new Set([...this._holderVariables, ...this._settings.environmentVariables])];
    const cleared = await this._deps.clearKernels(ids, names);
    for (const id of cleared) {
      this._holders.delete(id);
      // os.environ is clean, the process's initial environment is not.
      this._restartAdvised.add(id);
    }
    this._emit();
    return cleared;
  }

  /**
   * Kernels cleared with {@link clearKernels} whose initial process
   * environment (`/proc/<pid>/environ`) may still hold the token: only a
   * restart clears that.
   */
  get kernelsToRestart(): string[] {
    return [...this._restartAdvised];
  }

  /** Names of the kernels in `kernelsToRestart`. */
  get kernelsToRestartLabels(): string[] {
    return this.kernelsToRestart.map(id => this._kernelLabel(id));
  }

  /** Whether kernels can be restarted from here. */
  get canRestartKernels(): boolean {
    return !!this._deps.restartKernels;
  }

  /**
   * Restart the kernels still holding the token, cleared or not (their
   * variables are lost). Resolves to the ids restarted.
   */
  async restartKernels(): Promise<string[]> {
    const ids = [...new Set([...this._holders, ...this._restartAdvised])];
    if (!ids.length || !this._deps.restartKernels || this._restartBusy) {
      return [];
    }
    this._restartBusy = true;
    this._emit();
    let done: string[] = [];
    try {
      done = await this._deps.restartKernels(ids);
    } finally {
      this._restartBusy = false;
    }
    for (const id of done) {
      this._holders.delete(id);
      this._restartAdvised.delete(id);
    }
    this._emit();
    return done;
  }

  /** Whether a restart of kernels is under way. */
  get restartBusy(): boolean {
    return this._restartBusy;
  }

  /** Names of running terminals started while the server held the token (after Forget). */
  get terminalsHoldingToken(): string[] {
    return [...this._terminalHolders];
  }

  /** Whether terminals can be closed from here. */
  get canCloseTerminals(): boolean {
    return !!this._deps.terminals;
  }

  /** The last failure closing terminals, or ''. */
  get terminalError(): string {
    return this._terminalError;
  }

  /**
   * Close the terminals that still hold the token (the only way to take it
   * out of their shells). Resolves to the names closed; those that could not
   * be closed stay listed, with {@link terminalError} saying why.
   */
  async closeTerminals(): Promise<string[]> {
    const terminals = this._deps.terminals;
    const names = [...this._terminalHolders];
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
      this._terminalHolders.delete(name);
    }
    this._terminalError = failed.length
      ? this._trans._n(
          'Terminal %2 could not be closed. Close it from the Running Terminals and Kernels panel.',
          'Terminals %2 could not be closed. Close them from the Running Terminals and Kernels panel.',
          failed.length,
          failed.join(', ')
        )
      : '';
    this._emit();
    return closed;
  }

  /** The host (of the API base URL) the server-held token is bound to, or '' when unknown. */
  get serverTokenHost(): string {
    const base = this._server?.held ? this._server.apiBaseUrl : null;
    return base ? urlHost(base) : '';
  }

  /**
   * Whether the server holds a token bound to another API base URL than the
   * one in the settings (verifying here would be about another host).
   */
  get serverTokenForOtherHost(): boolean {
    const base = this._server?.held ? this._server.apiBaseUrl : null;
    return !!base && base.replace(/\/+$/, '') !== this._settings.apiBaseUrl.replace(/\/+$/, '');
  }

  /** The server extension's status: undefined until asked, null when absent. */
  get server(): IServerStatus | null | undefined {
    return this._server;
  }

  /** Ask the server extension whether it is there and what it holds. */
  async refreshServer(): Promise<IServerStatus | null> {
    this._server = this._deps.server ? await this._deps.server.status() : null;
    if (this._server && !this._server.held) {
      // Forgotten elsewhere (another tab, before a reload): they still have it.
      for (const name of this._server.terminals ?? []) {
        this._terminalHolders.add(name);
      }
    }
    this._emit();
    return this._server;
  }

  /** Whether new kernels and terminals get the token from the server. */
  get usedForNewKernels(): boolean {
    return !!this._server?.held;
  }

  /**
   * Give the held token to the server for every new kernel and terminal, or
   * take it back. Returns an error message, or '' on success.
   */
  async useForNewKernels(on: boolean): Promise<string> {
    const server = this._deps.server;
    if (!server || !this._server) {
      return this._trans.__('The jupyterlab_github_token server extension is not enabled on this Jupyter server.');
    }
    try {
      if (on) {
        if (!this.hasToken) {
          return this._trans.__('Paste a token first.');
        }
        const report = this._verify.status === 'done' ? this._verify.report : undefined;
        // The host the account and expiry were learnt from (the setting may
        // have changed since); unverified, the host Verify would use.
        const apiBaseUrl = (report && this._verifiedApiBaseUrl) || this._settings.apiBaseUrl;
        this._server = await server.hold({
          token: this._format!.token,
          variables: this._settings.environmentVariables,
          apiBaseUrl,
          login: report?.account?.login,
          expiresAt: report?.expiresAt ? report.expiresAt.toISOString() : null
        });
        this._emit();
      } else {
        this._takeServerStatus(await server.forget());
      }
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  }

  private _emit(): void {
    this._changed.emit();
  }

  private _deps: ITokenModelDeps;
  private _trans: Trans;
  private _settings: Readonly<IGitHubTokenSettings> = DEFAULT_SETTINGS;
  private _step: Step = 'access';
  private _checked = new Set<string>();
  private _draft = '';
  private _format: TokenFormatCheck | null = null;
  private _repository = DEFAULT_SETTINGS.defaultRepository;
  private _verify: VerifyState = { status: 'idle' };
  private _kernelWrite: KernelWriteState = { status: 'idle' };
  private _field: FieldState = { status: 'idle' };
  private _focusPending = false;
  private _server: IServerStatus | null | undefined = undefined;
  private _holders = new Set<string>();
  private _holderVariables = new Set<string>();
  private _restartAdvised = new Set<string>();
  private _restartBusy = false;
  private _terminalHolders = new Set<string>();
  private _terminalError = '';
  private _verifiedApiBaseUrl = '';
  private _serverError = '';
  /** Bumped whenever an answer in flight would no longer be about the current state. */
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
  private _focusRequested = new Signal<this, void>(this);
}

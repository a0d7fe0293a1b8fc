/**
 * What the page knows of the Jupyter server extension: whether it is there,
 * which API base URLs it may call (Verify then goes through it), whether it
 * can use the OS keychain, and the tokens it holds (one per API base URL),
 * which every tab shows. The page follows the server's token events, so that
 * a Forget or a new token in another tab shows here within seconds.
 */
import type { Trans } from '../i18n';
import { urlHost } from '../github/apiBaseUrl';
import type { GitHubTransport } from '../github/client';
import { heldFor, sameApiBaseUrl } from '../server/api';
import type { IHeldTokenStatus, IHeldTokenUpdate, IHoldRequest, IKeychainStatus, IServerStatus } from '../server/api';
import type { IModelHost } from './host';
import type { TokenHolders } from './holders';

export { sameApiBaseUrl };

/** The server extension's endpoints (see server/api). */
export interface IServerDeps {
  status(): Promise<IServerStatus | null>;
  hold(body: IHoldRequest): Promise<IServerStatus>;
  update(body: IHeldTokenUpdate): Promise<IServerStatus>;
  forget(apiBaseUrl?: string): Promise<IServerStatus>;
  /** The held token of that URL, for one delivery or verification. */
  reveal(apiBaseUrl: string): Promise<string>;
  /** Record a kernel the page put the token into. */
  recordKernel(body: { kernelId: string; variables: readonly string[]; apiBaseUrl: string }): Promise<void>;
  /** Call `onEvent` on every token event of the server; returns the unsubscribe. */
  subscribe?(onEvent: () => void): () => void;
  /** The way to the GitHub API through the server (token and path given explicitly). */
  github: GitHubTransport;
}

/**
 * How Verify reaches GitHub: through the server; from the browser because
 * there is no server extension, or because the URL is not in its allowed
 * list; or not known yet (the status has not answered).
 */
export type VerificationRoute = 'server' | 'no-extension' | 'not-allowed' | 'unknown';

/** What the server state needs from the model. */
export interface IServerStateOwner {
  /** The API base URL of the settings (the held token shown is the one for it). */
  apiBaseUrl(): string;
  /** A refresh found that the token held for that URL is gone or was replaced (another tab). */
  heldChanged(previous: IHeldTokenStatus, now: IHeldTokenStatus | null): void;
}

export class ServerState {
  constructor(
    host: IModelHost,
    owner: IServerStateOwner,
    deps: IServerDeps | undefined,
    holders: TokenHolders,
    trans: Trans
  ) {
    this._host = host;
    this._owner = owner;
    this._deps = deps;
    this._holders = holders;
    this._trans = trans;
  }

  /** The server extension's status: undefined until asked, null when absent. */
  get status(): IServerStatus | null | undefined {
    return this._status;
  }

  /** The last failure talking to the server extension, or ''. */
  get error(): string {
    return this._error;
  }

  /** The server's warning on the last hold (e.g. why the keychain was not used), or ''. */
  get warning(): string {
    return this._warning;
  }

  /** The token the server holds for `apiBaseUrl`, or null. */
  heldFor(apiBaseUrl: string): IHeldTokenStatus | null {
    return heldFor(this._status, apiBaseUrl);
  }

  /** Whether the server may call `apiBaseUrl` (its allow-list). */
  allows(apiBaseUrl: string): boolean {
    return (this._status?.allowedApiBaseUrls ?? []).some(url => sameApiBaseUrl(url, apiBaseUrl));
  }

  /** How Verify reaches the API at `apiBaseUrl`. */
  route(apiBaseUrl: string): VerificationRoute {
    if (this._status === undefined) {
      return 'unknown';
    }
    if (this._status === null || !this._deps) {
      return 'no-extension';
    }
    return this.allows(apiBaseUrl) ? 'server' : 'not-allowed';
  }

  /** The way to GitHub through the server when it may call `apiBaseUrl`, else undefined (the page verifies). */
  transportFor(apiBaseUrl: string): GitHubTransport | undefined {
    return this._deps && this.allows(apiBaseUrl) ? this._deps.github : undefined;
  }

  /** Whether the server can remember tokens in the OS keychain; null without the extension. */
  get keychain(): IKeychainStatus | null {
    return this._status?.keychain ?? null;
  }

  /** The entry whose token new kernels and terminals get, or null. */
  get forNewKernels(): IHeldTokenStatus | null {
    return this._status?.tokens.find(entry => entry.forNewKernels) ?? null;
  }

  /** The host (of the API base URL) of the token new kernels and terminals get, or '' when none. */
  get tokenHost(): string {
    const entry = this.forNewKernels;
    return entry ? urlHost(entry.apiBaseUrl) : '';
  }

  /** Whether new kernels and terminals get a token bound to another API base URL than `apiBaseUrl`. */
  tokenForOtherHost(apiBaseUrl: string): boolean {
    const entry = this.forNewKernels;
    return !!entry && !sameApiBaseUrl(entry.apiBaseUrl, apiBaseUrl);
  }

  /** Follow the server's token events (a refresh on each); returns the unsubscribe. */
  listen(): () => void {
    return this._deps?.subscribe?.(() => void this.refresh()) ?? (() => undefined);
  }

  /**
   * Ask the server extension whether it is there and what it holds. A token
   * of the settings' URL that is gone (forgotten in another tab) or replaced
   * is reported to the owner; when none is held any more, the kernels and
   * terminals that got one and still run are holders.
   */
  async refresh(): Promise<IServerStatus | null> {
    const stamp = ++this._stamp;
    const status = this._deps ? await this._deps.status() : null;
    if (stamp !== this._stamp) {
      // A newer answer (another refresh, a hold, a forget) landed meanwhile.
      return this._status ?? null;
    }
    const url = this._owner.apiBaseUrl();
    const previous = this.heldFor(url);
    this._status = status;
    const now = this.heldFor(url);
    if (status && previous && status.tokens.length === 0) {
      this._holders.addForgotten(status.kernels, status.terminals, previous.variables);
    }
    if (previous && (!now || now.setAt !== previous.setAt || now.masked !== previous.masked)) {
      this._owner.heldChanged(previous, now);
    }
    this._host.emit();
    return status;
  }

  /**
   * Make the server forget the token of `apiBaseUrl` (memory and keychain),
   * in the background: Forget itself is synchronous. This tab stops showing
   * it at once.
   */
  forget(apiBaseUrl: string): void {
    const status = this._status;
    // Always ask the server: another tab may have handed it a token.
    if (!status || !this._deps) {
      return;
    }
    const entry = this.heldFor(apiBaseUrl);
    this._set({ ...status, tokens: status.tokens.filter(token => token !== entry) });
    this._error = '';
    void this._deps
      .forget(entry?.apiBaseUrl ?? apiBaseUrl)
      .then(answer => {
        this._set(answer);
        this._holders.takeServerStatus(answer, entry?.variables ?? []);
      })
      .catch(error => {
        this._error = this._trans.__('The server could not forget the token: %1', (error as Error).message);
        this._host.emit();
      });
  }

  /** Note a failure talking to the server that the page found itself (e.g. holding after Verify). */
  fail(message: string): void {
    this._error = message;
    this._host.emit();
  }

  /**
   * Make the server hold a token (`request`, null when there is no token to
   * hold). Returns an error message, or '' on success.
   */
  async hold(request: IHoldRequest | null): Promise<string> {
    const deps = this._present();
    if (typeof deps === 'string') {
      return deps;
    }
    if (!request) {
      return this._trans.__('Paste a token first.');
    }
    this._error = '';
    try {
      const answer = await deps.hold(request);
      this._set(answer);
      this._warning = answer.warning ?? '';
      this._host.emit();
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Change the options of a held token. Returns an error message, or '' on success. */
  async update(body: IHeldTokenUpdate): Promise<string> {
    const deps = this._present();
    if (typeof deps === 'string') {
      return deps;
    }
    try {
      this._set(await deps.update(body));
      this._host.emit();
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** The held token of `apiBaseUrl`, for one delivery (the caller drops it after). Rejects when there is none. */
  async reveal(apiBaseUrl: string): Promise<string> {
    const deps = this._present();
    if (typeof deps === 'string') {
      throw new Error(deps);
    }
    try {
      return await deps.reveal(apiBaseUrl);
    } catch (error) {
      // Shown with the delivery's result too; the server's message never holds the token.
      this._error = this._trans.__('The Jupyter server could not deliver the token: %1', (error as Error).message);
      this._host.emit();
      throw new Error(this._error);
    }
  }

  /** Tell the server that a kernel got the token (in the background; a failure only loses the record there). */
  recordKernel(kernelId: string, variables: readonly string[], apiBaseUrl: string): void {
    // Also while the status is not known yet: the leak guard may load the model just to record.
    if (this._status !== null && this._deps) {
      void this._deps.recordKernel({ kernelId, variables, apiBaseUrl }).catch(() => undefined);
    }
  }

  /** The endpoints when the extension answered, or why not. */
  private _present(): IServerDeps | string {
    return this._deps && this._status
      ? this._deps
      : this._trans.__('The jupyterlab_github_token server extension is not enabled on this Jupyter server.');
  }

  /** A status from the server (or this tab's own change): a refresh still in flight is older. */
  private _set(status: IServerStatus): void {
    this._stamp++;
    this._status = status;
  }

  private _host: IModelHost;
  private _owner: IServerStateOwner;
  private _deps: IServerDeps | undefined;
  private _holders: TokenHolders;
  private _trans: Trans;
  private _status: IServerStatus | null | undefined = undefined;
  private _error = '';
  private _warning = '';
  private _stamp = 0;
}

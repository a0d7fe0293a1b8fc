/**
 * What the page knows of the Jupyter server extension: whether it is there,
 * which API base URLs it may call (Verify then goes through it), whether it
 * can use the OS keychain, and the tokens it holds (one per API base URL),
 * which every tab shows. The page follows the server's token events, so that
 * a Forget or a new token in another tab shows here within seconds.
 */
import type { Trans } from '../i18n';
import type { GitHubTransport } from '../github/client';
import { heldFor, sameApiBaseUrl, serverFailureOf } from '../server/api';
import type { IHeldTokenStatus, IHeldTokenUpdate, IHoldRequest, IKeychainStatus, IServerStatus } from '../server/api';
import type { IModelHost } from './host';
import type { TokenHolders } from './holders';

/**
 * A failure talking to the server extension, in the user's language (the
 * server/api module has no words): the server's own message when it sent one.
 */
export function serverFailureText(error: unknown, trans: Trans): string {
  const failure = serverFailureOf(error);
  if (!failure) {
    return (error as Error)?.message ?? String(error);
  }
  switch (failure.failure) {
    case 'not-delivered':
      return trans.__('The Jupyter server did not deliver the token.');
    case 'outside-api':
      return trans.__('The request is outside the GitHub API base URL, so it was not sent.');
    case 'github-timeout':
      return trans.__('The GitHub API did not answer the Jupyter server in time.');
    case 'github-unreachable':
      return failure.detail
        ? trans.__('The Jupyter server could not reach the GitHub API: %1', failure.detail)
        : trans.__('The Jupyter server could not reach the GitHub API (HTTP %1).', failure.httpStatus);
    default:
      return failure.detail || trans.__('The Jupyter server answered HTTP %1.', failure.httpStatus);
  }
}

/**
 * The way to GitHub through the server, its failures worded for the user;
 * their kind kept (AbortError: timeout; TypeError: unreachable, whose
 * message the report shows).
 */
export function wordedTransport(transport: GitHubTransport, trans: Trans): GitHubTransport {
  return async request => {
    try {
      return await transport(request);
    } catch (error) {
      if (!serverFailureOf(error)) {
        throw error;
      }
      const worded = (error as Error).name === 'AbortError' ? new Error() : new TypeError();
      worded.name = (error as Error).name;
      worded.message = serverFailureText(error, trans);
      throw worded;
    }
  };
}

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
    this._github = deps ? wordedTransport(deps.github, trans) : undefined;
  }

  /** The server extension's status: undefined until asked, null when absent. */
  get status(): IServerStatus | null | undefined {
    return this._status;
  }

  /** Whether the status is known, or needs no asking (no extension configured). */
  get answered(): boolean {
    return this._status !== undefined || !this._deps;
  }

  /** The last failure talking to the server extension, or ''. */
  get error(): string {
    return this._error;
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
    return this._github && this.allows(apiBaseUrl) ? this._github : undefined;
  }

  /** Whether the server can remember tokens in the OS keychain; null without the extension. */
  get keychain(): IKeychainStatus | null {
    return this._status?.keychain ?? null;
  }

  /** Follow the server's token events (a refresh on each); returns the unsubscribe. */
  listen(): () => void {
    return this._deps?.subscribe?.(() => void this.refresh()) ?? (() => undefined);
  }

  /**
   * Resolves once the server's status is known (asking for it if no answer
   * is on its way): null without the extension.
   */
  async known(): Promise<void> {
    while (this._status === undefined) {
      await (this._asking ?? this.refresh());
    }
  }

  /**
   * Ask the server extension whether it is there and what it holds. A token
   * of the settings' URL that is gone (forgotten in another tab) or replaced
   * is reported to the owner; when it is gone, what that Forget left running
   * (the server's `lastForget`: kernels, terminals, variables) are holders.
   */
  refresh(): Promise<IServerStatus | null> {
    const asking = this._refresh();
    this._asking = asking;
    const done = () => {
      if (this._asking === asking) {
        this._asking = null;
      }
    };
    asking.then(done, done);
    return asking;
  }

  private async _refresh(): Promise<IServerStatus | null> {
    const stamp = ++this._stamp;
    let status: IServerStatus | null;
    try {
      status = this._deps ? await this._deps.status() : null;
    } catch (error) {
      if (stamp === this._stamp) {
        // A failed refresh is not "no extension": keep what was known (a first
        // answer counts as none until the next refresh) and say why.
        this._error = this._trans.__('The Jupyter server did not answer: %1', serverFailureText(error, this._trans));
        this._refreshFailed = true;
        if (this._status === undefined) {
          this._status = null;
        }
        this._host.emit();
      }
      return this._status ?? null;
    }
    if (this._refreshFailed) {
      this._refreshFailed = false;
      this._error = '';
    }
    if (stamp !== this._stamp) {
      // A newer answer (another refresh, a hold, a forget) landed meanwhile.
      return this._status ?? null;
    }
    const url = this._owner.apiBaseUrl();
    const previous = this.heldFor(url);
    this._status = status;
    const now = this.heldFor(url);
    const last = status?.lastForget;
    if (previous && !now && last && (last.apiBaseUrl === null || sameApiBaseUrl(last.apiBaseUrl, url))) {
      this._holders.addForgotten(
        last.kernels,
        last.terminals,
        last.variables.length ? last.variables : previous.variables
      );
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
    // Always ask the server, also before its first answer: another tab may
    // have handed it a token. Only a server known to be absent is not asked.
    const deps = this._deps;
    if (status === null || !deps) {
      return;
    }
    const entry = this.heldFor(apiBaseUrl);
    if (status) {
      this._set({ ...status, tokens: status.tokens.filter(token => token !== entry) });
    } else {
      // An answer still on its way would show the forgotten token again.
      this._stamp++;
    }
    this._error = '';
    void deps
      .forget(entry?.apiBaseUrl ?? apiBaseUrl)
      .then(answer => {
        this._set(answer);
        if (answer.keychainError) {
          this._error = this._trans.__(
            'The token was forgotten, but its entry could not be removed from the keychain: %1',
            answer.keychainError
          );
        }
        this._holders.takeServerStatus(answer, entry?.variables ?? []);
      })
      .catch(error => {
        this._error = this._trans.__(
          'The server could not forget the token: %1',
          serverFailureText(error, this._trans)
        );
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
      // Held in memory, not remembered: the panel shows why (the server's reason).
      this._error = answer.warning
        ? this._trans.__('The token is held, but not remembered on this computer: %1', answer.warning)
        : '';
      this._host.emit();
      return '';
    } catch (error) {
      return serverFailureText(error, this._trans);
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
      return serverFailureText(error, this._trans);
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
      this._error = this._trans.__(
        'The Jupyter server could not deliver the token: %1',
        serverFailureText(error, this._trans)
      );
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
  private _github: GitHubTransport | undefined;
  private _asking: Promise<unknown> | null = null;
  private _holders: TokenHolders;
  private _trans: Trans;
  private _status: IServerStatus | null | undefined = undefined;
  private _error = '';
  /** Whether `_error` is a failed refresh's (the next answer clears it). */
  private _refreshFailed = false;
  private _stamp = 0;
}

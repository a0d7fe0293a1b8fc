/**
 * What the page knows of the Jupyter server extension: whether it is there,
 * which API base URLs it may call (Verify then goes through it), and the
 * token it holds for new kernels and terminals.
 */
import type { Trans } from '../i18n';
import { normalizeApiBaseUrl, urlHost } from '../github/apiBaseUrl';
import type { GitHubTransport } from '../github/client';
import type { IHoldRequest, IServerStatus } from '../server/api';
import type { IModelHost } from './host';
import type { TokenHolders } from './holders';

/** The server extension's endpoints (see server/api). */
export interface IServerDeps {
  status(): Promise<IServerStatus | null>;
  hold(body: IHoldRequest): Promise<IServerStatus>;
  forget(): Promise<IServerStatus>;
  /** The way to the GitHub API through the server (token and path given explicitly). */
  github: GitHubTransport;
}

/**
 * Whether two API base URLs are the same once normalised as the server does
 * (host case, trailing slashes): the page must not believe the server refuses
 * a URL it accepts. A URL the policy refuses matches nothing.
 */
export function sameApiBaseUrl(a: string, b: string): boolean {
  const normalized = normalizeApiBaseUrl(a);
  return normalized !== null && normalized === normalizeApiBaseUrl(b);
}

export class ServerState {
  constructor(host: IModelHost, deps: IServerDeps | undefined, holders: TokenHolders, trans: Trans) {
    this._host = host;
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

  /** The way to GitHub through the server when it may call `apiBaseUrl`, else undefined (the page verifies). */
  transportFor(apiBaseUrl: string): GitHubTransport | undefined {
    const allowed = this._status?.allowedApiBaseUrls ?? [];
    return this._deps && allowed.some(url => sameApiBaseUrl(url, apiBaseUrl)) ? this._deps.github : undefined;
  }

  /** The host (of the API base URL) the server-held token is bound to, or '' when unknown. */
  get tokenHost(): string {
    const base = this._boundApiBaseUrl;
    return base ? urlHost(base) : '';
  }

  /** Whether the server holds a token bound to another API base URL than `apiBaseUrl`. */
  tokenForOtherHost(apiBaseUrl: string): boolean {
    const base = this._boundApiBaseUrl;
    return !!base && !sameApiBaseUrl(base, apiBaseUrl);
  }

  /** Whether new kernels and terminals get the token from the server. */
  get usedForNewKernels(): boolean {
    return !!this._status?.held;
  }

  /** Ask the server extension whether it is there and what it holds. */
  async refresh(): Promise<IServerStatus | null> {
    this._status = this._deps ? await this._deps.status() : null;
    if (this._status && !this._status.held) {
      // Forgotten elsewhere (another tab, before a reload): they still have it.
      this._holders.addTerminals(this._status.terminals ?? []);
    }
    this._host.emit();
    return this._status;
  }

  /** Make the server forget (in the background: Forget itself is synchronous). */
  forget(): void {
    // Always ask the server: another tab may have handed it the token.
    if (this._status && this._deps) {
      this._error = '';
      void this._deps
        .forget()
        .then(status => this._take(status))
        .catch(error => {
          this._error = this._trans.__('The server could not forget the token: %1', (error as Error).message);
          this._host.emit();
        });
    }
  }

  /**
   * Give the token to the server for every new kernel and terminal (`request`,
   * null when no token is held). Returns an error message, or '' on success.
   */
  async hold(request: IHoldRequest | null): Promise<string> {
    const deps = this._present();
    if (typeof deps === 'string') {
      return deps;
    }
    if (!request) {
      return this._trans.__('Paste a token first.');
    }
    try {
      this._status = await deps.hold(request);
      this._host.emit();
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Take the token back from the server. Returns an error message, or '' on success. */
  async release(): Promise<string> {
    const deps = this._present();
    if (typeof deps === 'string') {
      return deps;
    }
    try {
      this._take(await deps.forget());
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** The endpoints when the extension answered, or why not. */
  private _present(): IServerDeps | string {
    return this._deps && this._status
      ? this._deps
      : this._trans.__('The jupyterlab_github_token server extension is not enabled on this Jupyter server.');
  }

  /** Record a status from the server, remembering what still holds the token. */
  private _take(status: IServerStatus): void {
    this._status = status;
    this._holders.takeServerStatus(status);
  }

  private get _boundApiBaseUrl(): string | null {
    return this._status?.held ? this._status.apiBaseUrl : null;
  }

  private _host: IModelHost;
  private _deps: IServerDeps | undefined;
  private _holders: TokenHolders;
  private _trans: Trans;
  private _status: IServerStatus | null | undefined = undefined;
  private _error = '';
}

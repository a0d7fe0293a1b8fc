/**
 * The token's session with the Jupyter server, for the settings' API base
 * URL: the token the server holds there, and what the model does with it.
 * A verified draft is held there and dropped from the page; the keychain and
 * new-kernels choices are the held entry's; a delivery without a draft
 * fetches the held token for itself (reveal) and drops it after; a held
 * token GitHub no longer accepts (the server's check) is not delivered.
 * The low-level exchange with the server is serverState.
 */
import type { Trans } from '../i18n';
import type { IGitHubTokenSettings, SavedSettingKey } from '../settings';
import type { ITokenFormatCheck } from '../token/format';
import type { IKernelWriteResult } from '../kernel/environment';
import { refusedByGitHub } from '../server/api';
import type { IHeldTokenStatus } from '../server/api';
import { holdRequest } from './delivery';
import type { TokenSource } from './delivery';
import type { TokenHolders } from './holders';
import type { IModelHost } from './host';
import { ServerState } from './serverState';
import type { IServerDeps } from './serverState';
import type { VerifyState } from './verification';

/** What the session needs from the model that composes it. */
export interface ISessionOwner {
  settings(): Readonly<IGitHubTokenSettings>;
  /** Change settings in memory (the session saves them itself). */
  updateSettings(patch: Partial<IGitHubTokenSettings>): void;
  /** The draft's offline check, or null when nothing is typed. */
  format(): ITokenFormatCheck | null;
  /** The server holds the draft now: drop the raw token from the page (what was learnt of it stays). */
  dropDraft(): void;
  verifyState(): VerifyState;
  /** The API base URL the last verification was answered by, or ''. */
  verifiedApiBaseUrl(): string;
  /** The token held for the settings' URL is gone or was replaced elsewhere. */
  heldChanged(): void;
  /** Save a non-secret choice as a setting. */
  saveChoice?(key: SavedSettingKey, value: string | boolean): Promise<void>;
}

export class TokenSession {
  /**
   * @param settingsReady resolves once the user's settings are in the model
   *   (or known to be the defaults): the API base URL, field name and
   *   variables of a delivery come from them.
   */
  constructor(
    host: IModelHost,
    owner: ISessionOwner,
    deps: IServerDeps | undefined,
    holders: TokenHolders,
    settingsReady: Promise<unknown>,
    trans: Trans
  ) {
    this._host = host;
    this._owner = owner;
    this._trans = trans;
    this._settingsReady = settingsReady.then(
      () => undefined,
      () => undefined
    );
    this.server = new ServerState(
      host,
      { apiBaseUrl: () => owner.settings().apiBaseUrl, heldChanged: () => owner.heldChanged() },
      deps,
      holders,
      trans
    );
  }

  /** The exchange with the server extension (status, route, keychain, errors). */
  readonly server: ServerState;

  /**
   * Resolves once the server's first status and the user's settings are
   * known: before that, "no token held" and the default API base URL may be
   * wrong (e.g. a notebook that displays a form right after a reload).
   */
  async ready(): Promise<void> {
    await Promise.all([this.server.known(), this._settingsReady]);
  }

  /** The token the server holds for the settings' API base URL, or null. */
  get held(): IHeldTokenStatus | null {
    return this.server.heldFor(this._owner.settings().apiBaseUrl);
  }

  /**
   * Why the held token is not delivered (the server's check found it
   * revoked or expired: GitHub refuses it), or '' when it may be.
   */
  heldRefusal(held: IHeldTokenStatus | null = this.held): string {
    if (!held || !refusedByGitHub(held)) {
      return '';
    }
    return held.check.status === 'expired'
      ? this._trans.__(
          'The token held for %1 has expired, so GitHub refuses it: create a new token and paste it here. Forget removes the expired one.',
          held.apiBaseUrl
        )
      : this._trans.__(
          'The token held for %1 was revoked, so GitHub refuses it: create a new token and paste it here. Forget removes the revoked one.',
          held.apiBaseUrl
        );
  }

  /** Where a delivery starting now takes the token: the draft, else the held one (fetched for it). */
  tokenSource(): TokenSource {
    const format = this._owner.format();
    if (format?.ok) {
      const token = format.token;
      return async () => token;
    }
    return this.heldSource();
  }

  /**
   * The held token only, fetched for one delivery (never the draft: e.g. the
   * auto-fill, whose notification names the held token's account). Rejects
   * with the reason when there is none, or GitHub refuses it.
   */
  heldSource(): TokenSource {
    const held = this.held;
    const refusal = this.heldRefusal(held);
    if (!held || refusal) {
      const reason = refusal || this._trans.__('Paste a token first.');
      return async () => {
        throw new Error(reason);
      };
    }
    const url = held.apiBaseUrl;
    return () => this.server.reveal(url);
  }

  /**
   * Tell the server that a kernel got the token, for the URL it is held for:
   * once the status and the settings are known (the leak guard may load the
   * model just to record).
   */
  record(result: IKernelWriteResult): void {
    if (result.ok && result.kernelId) {
      const { kernelId, variables } = result;
      void this.ready().then(
        () => this.server.recordKernel(kernelId, variables, this.held?.apiBaseUrl ?? this._owner.settings().apiBaseUrl),
        () => undefined
      );
    }
  }

  /** The "Remember on this computer" setting. */
  get remember(): boolean {
    return this._owner.settings().rememberOnThisComputer;
  }

  /**
   * Turn "Remember on this computer" on or off: saved as the setting, and
   * applied to the held token (stored in or removed from the keychain).
   * Returns an error message, or ''.
   */
  async setRemember(on: boolean): Promise<string> {
    this._owner.updateSettings({ rememberOnThisComputer: on });
    this._host.emit();
    try {
      await this._owner.saveChoice?.('rememberOnThisComputer', on);
    } catch (error) {
      return this._trans.__('The setting could not be saved: %1', (error as Error).message);
    }
    const held = this.held;
    return held && held.remembered !== on ? this.server.update({ apiBaseUrl: held.apiBaseUrl, remember: on }) : '';
  }

  /** Whether new kernels and terminals get the held token of the settings' API base URL. */
  get usedForNewKernels(): boolean {
    return !!this.held?.forNewKernels;
  }

  /**
   * Give the token to every new kernel and terminal, or stop: the held
   * entry's option changes; a draft is held first. Returns an error message,
   * or '' on success.
   */
  async useForNewKernels(on: boolean): Promise<string> {
    const held = this.held;
    if (held) {
      return this.server.update({ apiBaseUrl: held.apiBaseUrl, forNewKernels: on });
    }
    if (!on) {
      return '';
    }
    const format = this._owner.format();
    const settings = this._owner.settings();
    const generation = this._host.generation();
    const error = await this.server.hold(
      format?.ok
        ? {
            ...holdRequest(format.token, settings, this._owner.verifyState(), this._owner.verifiedApiBaseUrl()),
            forNewKernels: true,
            remember: settings.rememberOnThisComputer
          }
        : null
    );
    if (!error && format?.ok) {
      this._dropDraftHeld(format.token, generation);
    }
    return error;
  }

  /**
   * After an ok report: the server holds the token for the URL it was
   * verified against (when it may call it), new kernels' option kept; then
   * the page drops the raw draft. `held`: the token verified was the held
   * one, whose keychain choice stays.
   */
  async holdVerified(token: string, state: VerifyState, held: IHeldTokenStatus | null): Promise<void> {
    const url = this._owner.verifiedApiBaseUrl();
    if (!url || this.server.route(url) !== 'server') {
      return;
    }
    const generation = this._host.generation();
    const settings = this._owner.settings();
    const error = await this.server.hold({
      ...holdRequest(token, settings, state, url),
      remember: held ? held.remembered : settings.rememberOnThisComputer
    });
    if (error) {
      this.server.fail(this._trans.__('The Jupyter server could not keep the token: %1', error));
      return;
    }
    this._dropDraftHeld(token, generation);
  }

  /** Drop the raw draft once the server holds it for the settings' URL. */
  private _dropDraftHeld(token: string, generation: number): void {
    const format = this._owner.format();
    if (generation === this._host.generation() && format?.ok && format.token === token && this.held) {
      this._owner.dropDraft();
    }
  }

  private _host: IModelHost;
  private _owner: ISessionOwner;
  private _trans: Trans;
  private _settingsReady: Promise<void>;
}

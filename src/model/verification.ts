/**
 * Verify: ask the GitHub API about the held token and turn the answers into
 * the report the panel shows. The report itself is built by the pure module
 * github/verifyReport; this part only decides the route and keeps the state.
 */
import type { Trans } from '../i18n';
import type { IGitHubTokenSettings } from '../settings';
import type { ITokenFormatCheck } from '../token/format';
import { parseRepoFullName } from '../github/repository';
import { buildVerifyReport } from '../github/verifyReport';
import type { IVerifyReport } from '../github/verifyReport';
import type { GitHubTransport, IVerifyOutcomes, IVerifyRequest } from '../github/client';
import type { IModelHost } from './host';
import type { VerificationRoute } from './serverState';

/** Verification progress. */
export type VerifyState =
  { status: 'idle' } | { status: 'verifying' } | { status: 'done'; report: IVerifyReport; repository?: string };

/** Sends the verification requests (github/client's requestVerification). */
export type RequestVerification = (options: IVerifyRequest) => Promise<IVerifyOutcomes>;

/** What one verification is about. */
export interface IVerifyRound {
  /** A well-formed token (`format.ok`). */
  format: ITokenFormatCheck;
  /** The repository field as typed ('' for none); already checked with {@link repositoryProblem}. */
  repository: string;
  settings: Readonly<IGitHubTokenSettings>;
  /** The way through the Jupyter server when it may call this API; otherwise the page asks GitHub itself. */
  transport?: GitHubTransport;
  /** Why there is no transport (the note on the browser's blind spot names the real reason). */
  route?: VerificationRoute;
}

/** Why the repository field cannot be used, or '' when it is empty or valid. */
export function repositoryProblem(text: string, trans: Trans): string {
  const trimmed = text.trim();
  if (!trimmed || parseRepoFullName(trimmed)) {
    return '';
  }
  return trans.__('Enter the repository as owner/name, for example octo-org/analysis.');
}

/**
 * Run one verification. Never rejects: when the requests cannot even start
 * (e.g. the Octokit chunk failed to load) the report says "unreachable".
 * `verifiedAgainst` is the API base URL the answers came from, '' on failure.
 */
export async function verifyToken(
  input: IVerifyRound,
  requestVerification: RequestVerification,
  trans: Trans
): Promise<{ state: VerifyState; verifiedAgainst: string }> {
  const { format, settings: s, transport } = input;
  const repoText = input.repository.trim();
  const repository = repoText ? parseRepoFullName(repoText) : undefined;
  const viaServer = !!transport;
  try {
    const outcomes = await requestVerification({
      token: format.token,
      apiBaseUrl: s.apiBaseUrl,
      repository,
      timeoutMs: s.requestTimeoutSeconds * 1000,
      transport
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
      trans
    );
    if (!viaServer && report.account) {
      report.notes.push(
        input.route === 'not-allowed'
          ? trans.__(
              "Verified from the browser, which cannot see the token's expiry (GitHub does not expose that header to web pages). The server extension is enabled, but %1 is not in its allowed API base URLs: add it to c.GitHubTokenExtension.allowed_api_base_urls and restart the Jupyter server to verify through it and see the expiry.",
              s.apiBaseUrl
            )
          : trans.__(
              "Verified from the browser, which cannot see the token's expiry (GitHub does not expose that header to web pages). With the server extension enabled, verification goes through the Jupyter server and shows it."
            )
      );
    }
    return { state: { status: 'done', report, repository: fullName }, verifiedAgainst: s.apiBaseUrl };
  } catch (error) {
    const report = buildVerifyReport(
      {
        tokenKind: format.kind,
        access: s.accessLevel,
        user: { kind: 'network', problem: 'unreachable', detail: String(error) },
        apiBaseUrl: s.apiBaseUrl,
        webBaseUrl: s.webBaseUrl
      },
      trans
    );
    return { state: { status: 'done', report }, verifiedAgainst: '' };
  }
}

/** The verification state of the model: one round at a time, stale answers dropped. */
export class Verification {
  constructor(host: IModelHost, requestVerification: RequestVerification, trans: Trans) {
    this._host = host;
    this._requestVerification = requestVerification;
    this._trans = trans;
  }

  get state(): VerifyState {
    return this._state;
  }

  /** The API base URL of the last verification that landed, or ''. */
  get verifiedApiBaseUrl(): string {
    return this._verifiedApiBaseUrl;
  }

  /** Back to idle (the caller emits). */
  reset(): void {
    this._state = { status: 'idle' };
  }

  /** Drop a round in flight (the caller bumps the generation so its answer is ignored). */
  cancel(): void {
    if (this._state.status === 'verifying') {
      this.reset();
    }
  }

  /**
   * Verify, unless a round is already under way (then its state is returned).
   * `input` may still be on its way (the held token, fetched from the server
   * for this round): the state is 'verifying' meanwhile, and idle again when
   * it resolves to null.
   */
  async run(input: IVerifyRound | Promise<IVerifyRound | null>): Promise<VerifyState> {
    if (this._state.status === 'verifying') {
      return this._state;
    }
    const generation = this._host.generation();
    this._state = { status: 'verifying' };
    this._host.emit();
    const round = await input;
    if (!round) {
      if (this._host.generation() === generation) {
        this.reset();
        this._host.emit();
      }
      return this._state;
    }
    const { state, verifiedAgainst } = await verifyToken(round, this._requestVerification, this._trans);
    // The token, the access level or the host may have changed while we waited.
    if (this._host.generation() === generation) {
      this._state = state;
      this._verifiedApiBaseUrl = verifiedAgainst;
      this._host.emit();
    }
    return state;
  }

  private _host: IModelHost;
  private _requestVerification: RequestVerification;
  private _trans: Trans;
  private _state: VerifyState = { status: 'idle' };
  private _verifiedApiBaseUrl = '';
}

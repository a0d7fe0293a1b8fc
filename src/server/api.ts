/**
 * The Jupyter server side of the extension (when installed and enabled):
 * verification through the server, which sees every GitHub header, and the
 * tokens the server holds (one per API base URL) for every tab, reload and,
 * when remembered in the OS keychain, restart.
 */
import { ServerConnection } from '@jupyterlab/services';
import type { Event } from '@jupyterlab/services';
import { normalizeApiBaseUrl } from '../github/apiBaseUrl';
import type { GitHubTransport } from '../github/client';

/** The server's own re-verification of a held token (done for tokens loaded from the keychain). */
export interface IHeldTokenCheck {
  status: 'unchecked' | 'valid' | 'revoked' | 'expired' | 'unreachable';
  checkedAt: string | null;
  /** The server's own words, for API users and logs (the page words the status itself). */
  message: string;
  /** GitHub's HTTP status when it answered the check. */
  httpStatus?: number | null;
}

/** What the server says about one token it holds; never the token itself. */
export interface IHeldTokenStatus {
  apiBaseUrl: string;
  masked: string;
  /** The policy's prefix kind (`classic`, `fine-grained`, ...) or `legacy`. */
  kind: string;
  login: string | null;
  expiresAt: string | null;
  /** Classic scopes; null for fine-grained tokens or when unknown. */
  scopes: string[] | null;
  setAt: string;
  variables: string[];
  gitHosts: string[];
  /** Whether new kernels and terminals get this token (at most one entry). */
  forNewKernels: boolean;
  /** Whether it is stored in the OS keychain too. */
  remembered: boolean;
  check: IHeldTokenCheck;
}

/** Whether the server can remember tokens in the OS keychain, and why not. */
export interface IKeychainStatus {
  enabled: boolean;
  available: boolean;
  backend: string | null;
  reason: string;
}

/** What the most recent Forget (in any tab) left running, filtered to what still runs. */
export interface ILastForget {
  /** The API base URL forgotten; null: every token. */
  apiBaseUrl: string | null;
  kernels: string[];
  terminals: string[];
  variables: string[];
}

/** What the server says (status v2): every token it holds, masked. */
export interface IServerStatus {
  version: number;
  tokens: IHeldTokenStatus[];
  allowedApiBaseUrls: string[];
  keychain: IKeychainStatus;
  /** Running kernels that got a token (at start, or recorded by the page). */
  kernels: string[];
  kernelClashes: { id: string; variables: string[] }[];
  /** Running terminals started with a token. */
  terminals: string[];
  /** What the most recent Forget left running; null when none. */
  lastForget?: ILastForget | null;
  /** After a forget: kernels that got the token and still run. */
  stillRunning?: string[];
  /** After a forget: terminals started with the token that still run. */
  stillRunningTerminals?: string[];
  /** After a forget: whether a keychain entry was removed. */
  keychainRemoved?: boolean;
  /** After a forget: why a remembered entry could not be removed from the keychain ('' when fine). */
  keychainError?: string;
  /** After a hold: why the token could not be remembered (it is held in memory anyway). */
  warning?: string;
}

/** What the page sends to make the server hold a token for its API base URL. */
export interface IHoldRequest {
  token: string;
  /** The API base URL the token was verified against: the server binds the token to that host. */
  apiBaseUrl: string;
  variables: readonly string[];
  login?: string;
  expiresAt?: string | null;
  scopes?: string[] | null;
  /** Omitted: the server keeps the previous entry's value for that URL. */
  forNewKernels?: boolean;
  remember?: boolean;
}

/** A change to a held token's options. */
export interface IHeldTokenUpdate {
  apiBaseUrl: string;
  forNewKernels?: boolean;
  remember?: boolean;
}

/** The id of the server's token events (held, changed, forgotten, checked), as registered by the server extension. */
export const TOKEN_EVENT_SCHEMA_ID = 'https://events.jupyter.org/jupyterlab_github_token/token/v1';

/**
 * Whether two API base URLs are the same once normalised as the server does
 * (host case, trailing slashes): the page must not believe the server refuses
 * a URL it accepts. A URL the policy refuses matches nothing.
 */
export function sameApiBaseUrl(a: string, b: string): boolean {
  const normalized = normalizeApiBaseUrl(a);
  return normalized !== null && normalized === normalizeApiBaseUrl(b);
}

/**
 * Whether the server's own check found that GitHub refuses the held token
 * (revoked or expired): it is then neither delivered nor offered.
 */
export function refusedByGitHub(held: IHeldTokenStatus): boolean {
  return held.check.status === 'revoked' || held.check.status === 'expired';
}

/** The token the server holds for `apiBaseUrl` (normalised compare), or null. */
export function heldFor(status: IServerStatus | null | undefined, apiBaseUrl: string): IHeldTokenStatus | null {
  return status?.tokens.find(entry => sameApiBaseUrl(entry.apiBaseUrl, apiBaseUrl)) ?? null;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

function lastForget(value: unknown): ILastForget | null {
  if (!value || typeof value !== 'object') {
    return null;
  }
  const data = value as Partial<ILastForget>;
  return {
    apiBaseUrl: typeof data.apiBaseUrl === 'string' ? data.apiBaseUrl : null,
    kernels: strings(data.kernels),
    terminals: strings(data.terminals),
    variables: strings(data.variables)
  };
}

/** A status as the page relies on it: lists always lists, a keychain always described. */
export function normalizeServerStatus(data: Partial<IServerStatus>): IServerStatus {
  const keychain = data.keychain;
  return {
    ...(data as IServerStatus),
    version: typeof data.version === 'number' ? data.version : 0,
    tokens: Array.isArray(data.tokens)
      ? data.tokens.filter(entry => !!entry && typeof entry.apiBaseUrl === 'string')
      : [],
    allowedApiBaseUrls: strings(data.allowedApiBaseUrls),
    keychain: {
      enabled: !!keychain?.enabled,
      available: !!keychain?.available,
      backend: typeof keychain?.backend === 'string' ? keychain.backend : null,
      reason: typeof keychain?.reason === 'string' ? keychain.reason : ''
    },
    kernels: strings(data.kernels),
    kernelClashes: Array.isArray(data.kernelClashes) ? data.kernelClashes : [],
    terminals: strings(data.terminals),
    lastForget: lastForget(data.lastForget)
  };
}

/**
 * Why a call to the server extension failed. This module has no words for
 * the user: the model words each failure (model/serverState).
 * - refused: the server answered an error (`detail`: its message, `reason` its code);
 * - not-delivered: reveal answered without a token;
 * - outside-api: a path outside the GitHub API base URL (nothing was sent);
 * - github-timeout / github-unreachable: the server could not get GitHub's answer.
 */
export type ServerFailure = 'refused' | 'not-delivered' | 'outside-api' | 'github-timeout' | 'github-unreachable';

/** The fields a failed server call's error carries (see {@link serverFailureOf}). */
export interface IServerFailure {
  failure: ServerFailure;
  /** The HTTP status of the server's answer (0: none). */
  httpStatus: number;
  /** The server's own message, if any (never the token). */
  detail: string;
  /** The server's machine-readable reason (e.g. `keychain-unavailable`), or ''. */
  reason: string;
}

/** An error (its class kept: `fetch`'s conventions, TypeError and AbortError) that says why the call failed. */
function failed<E extends Error>(error: E, fields: IServerFailure): E & IServerFailure {
  return Object.assign(error, fields);
}

/** The failure carried by an error from this module, or null for any other error. */
export function serverFailureOf(error: unknown): IServerFailure | null {
  const e = error as Partial<IServerFailure> | null | undefined;
  return e && typeof e === 'object' && typeof e.failure === 'string'
    ? { failure: e.failure, httpStatus: e.httpStatus ?? 0, detail: e.detail ?? '', reason: e.reason ?? '' }
    : null;
}

const ROUTE = 'jupyterlab-github-token';

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const settings = ServerConnection.makeSettings();
  const url = `${settings.baseUrl}${ROUTE}/${path}`;
  return ServerConnection.makeRequest(url, init, settings);
}

async function json<T>(response: Response): Promise<T> {
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { message, reason } = data as { message?: unknown; reason?: unknown };
    const detail = typeof message === 'string' && message ? message : response.statusText;
    throw failed(new Error(detail || 'refused'), {
      failure: 'refused',
      httpStatus: response.status,
      detail,
      reason: typeof reason === 'string' ? reason : ''
    });
  }
  return data as T;
}

async function status(response: Response): Promise<IServerStatus> {
  return normalizeServerStatus(await json<Partial<IServerStatus>>(response));
}

/** The server's status, or null when the server extension is not there (404 / unreachable). */
export async function fetchServerStatus(): Promise<IServerStatus | null> {
  const response = await call('status');
  // Only a missing route means "no extension": any other failure (a 5xx, a
  // refused permission, the network) throws, and the caller keeps what it knew.
  if (response.status === 404) {
    return null;
  }
  return status(response);
}

/** Make the server hold the token for its API base URL (replacing an earlier one there). */
export async function holdOnServer(body: IHoldRequest): Promise<IServerStatus> {
  return status(await call('token', { method: 'PUT', body: JSON.stringify(body) }));
}

/** Change a held token's options (new kernels, keychain). */
export async function updateOnServer(body: IHeldTokenUpdate): Promise<IServerStatus> {
  return status(await call('token', { method: 'PATCH', body: JSON.stringify(body) }));
}

/** Make the server forget the token of `apiBaseUrl` (memory and keychain), or every token without one. */
export async function forgetOnServer(apiBaseUrl?: string): Promise<IServerStatus> {
  const query = apiBaseUrl ? `?apiBaseUrl=${encodeURIComponent(apiBaseUrl)}` : '';
  return status(await call(`token${query}`, { method: 'DELETE' }));
}

/**
 * The held token itself, for one delivery by the page (which drops it after).
 * A POST, so that jupyter_server's XSRF check applies; the server requires the
 * permission to execute code in kernels.
 */
export async function revealFromServer(apiBaseUrl: string): Promise<string> {
  const data = await json<{ token?: unknown }>(
    await call('token/reveal', { method: 'POST', body: JSON.stringify({ apiBaseUrl }) })
  );
  if (typeof data.token !== 'string' || !data.token) {
    throw failed(new Error('not-delivered'), { failure: 'not-delivered', httpStatus: 200, detail: '', reason: '' });
  }
  return data.token;
}

/** Tell the server that the page put the token into a running kernel (Forget in any tab then lists it). */
export async function recordKernelOnServer(body: {
  kernelId: string;
  variables: readonly string[];
  apiBaseUrl: string;
}): Promise<void> {
  const response = await call('kernels', { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) {
    await json(response);
  }
}

/** Call `onEvent` on every token event of the server (another tab held, changed or forgot one). */
export function subscribeToTokenEvents(events: Event.IManager, onEvent: () => void): () => void {
  const listener = (_sender: Event.IManager, emission: Event.Emission): void => {
    if (emission.schema_id === TOKEN_EVENT_SCHEMA_ID) {
      onEvent();
    }
  };
  events.stream.connect(listener);
  return () => {
    events.stream.disconnect(listener);
  };
}

/**
 * The way to GitHub through the Jupyter server (`POST jupyterlab-github-token/github`):
 * the token and the path go in the body as they are, and GitHub's answer, with
 * every header (the browser would hide some), comes back as it was. Nothing is
 * rebuilt here; github/client normalises it like Octokit's answers.
 */
export const serverGitHubTransport: GitHubTransport = async ({ apiBaseUrl, path, token, signal }) => {
  const base = normalizeApiBaseUrl(apiBaseUrl);
  // Only a path under the API base URL (never `//host`), before anything is sent.
  if (base === null || !path.startsWith('/') || path.startsWith('//')) {
    throw failed(new TypeError('outside-api'), { failure: 'outside-api', httpStatus: 0, detail: '', reason: '' });
  }
  const response = await call('github', {
    method: 'POST',
    body: JSON.stringify({ apiBaseUrl: base, path: path.split('?')[0], token }),
    signal
  });
  const answer = (await response.json().catch(() => ({}))) as {
    status?: number;
    headers?: Record<string, string>;
    data?: unknown;
    network?: 'timeout' | 'unreachable';
    message?: string;
  };
  if (!response.ok || typeof answer.status !== 'number') {
    const fields = { httpStatus: response.status, detail: answer.message ?? '', reason: '' };
    if (answer.network === 'timeout') {
      const error = failed(new Error('github-timeout'), { ...fields, failure: 'github-timeout' });
      error.name = 'AbortError';
      throw error;
    }
    // Unreachable from the server, or refused by its allow-list: the
    // server's message says which, and never contains the token.
    throw failed(new TypeError(answer.message || 'github-unreachable'), { ...fields, failure: 'github-unreachable' });
  }
  return { status: answer.status, headers: answer.headers ?? {}, data: answer.data };
};

/**
 * The Jupyter server side of the extension (when installed and enabled):
 * verification through the server, which sees every GitHub header, and the
 * token held in the server's memory for new kernels and terminals.
 */
import { ServerConnection } from '@jupyterlab/services';
import { normalizeApiBaseUrl } from '../github/apiBaseUrl';
import type { GitHubTransport } from '../github/client';

/** What the server says about the token it holds; never the token itself. */
export interface IServerStatus {
  held: boolean;
  masked: string | null;
  login: string | null;
  expiresAt: string | null;
  variables: string[];
  /** Kernels started with the token that are still running. */
  kernels: string[];
  gitHosts: string[];
  allowedApiBaseUrls: string[];
  forgetsOnRestart: boolean;
  /** After a forget: kernels started with the token that still run. */
  stillRunning?: string[];
  /** Running terminals started with the token (their names); [] from older servers. */
  terminals: string[];
  /** After a forget: terminals started with the token that still run. */
  stillRunningTerminals: string[];
  /** The API base URL the held token was verified against (its git host); null when none or an older server. */
  apiBaseUrl: string | null;
}

/** The fields an older server does not send, filled in (empty lists, no host). */
export function normalizeServerStatus(data: Partial<IServerStatus>): IServerStatus {
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return {
    ...(data as IServerStatus),
    terminals: strings(data.terminals),
    stillRunningTerminals: strings(data.stillRunningTerminals),
    apiBaseUrl: typeof data.apiBaseUrl === 'string' && data.apiBaseUrl ? data.apiBaseUrl : null
  };
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
    throw new Error((data as { message?: string }).message || response.statusText);
  }
  return data as T;
}

/** The server's status, or null when the server extension is not there. */
export async function fetchServerStatus(): Promise<IServerStatus | null> {
  try {
    const response = await call('status');
    if (response.status === 404) {
      return null;
    }
    return normalizeServerStatus(await json<Partial<IServerStatus>>(response));
  } catch {
    return null;
  }
}

/** What the page sends to make the server hold the token. */
export interface IHoldRequest {
  token: string;
  variables: readonly string[];
  /** The API base URL the token was verified against: the server binds the token to that host. */
  apiBaseUrl: string;
  login?: string;
  expiresAt?: string | null;
}

/** Hand the token to the server for new kernels and terminals. */
export async function holdOnServer(body: IHoldRequest): Promise<IServerStatus> {
  return normalizeServerStatus(
    await json<Partial<IServerStatus>>(await call('token', { method: 'PUT', body: JSON.stringify(body) }))
  );
}

/** Make the server forget the token. */
export async function forgetOnServer(): Promise<IServerStatus> {
  return normalizeServerStatus(await json<Partial<IServerStatus>>(await call('token', { method: 'DELETE' })));
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
    throw new TypeError('Request outside the GitHub API base URL');
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
    if (answer.network === 'timeout') {
      const error = new Error('The GitHub API did not answer in time');
      error.name = 'AbortError';
      throw error;
    }
    // Unreachable from the server, or refused by its allow-list: the
    // server's message says which, and never contains the token.
    throw new TypeError(answer.message || `The Jupyter server could not reach the GitHub API (${response.status})`);
  }
  return { status: answer.status, headers: answer.headers ?? {}, data: answer.data };
};

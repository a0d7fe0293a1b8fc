/**
 * The Jupyter server side of the extension (when installed and enabled):
 * verification through the server, which sees every GitHub header, and the
 * token held in the server's memory for new kernels and terminals.
 */
import { ServerConnection } from '@jupyterlab/services';

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

function headerValue(headers: HeadersInit | undefined, name: string): string | undefined {
  if (!headers) {
    return undefined;
  }
  if (headers instanceof Headers) {
    return headers.get(name) ?? undefined;
  }
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  const found = entries.find(([key]) => key.toLowerCase() === name);
  return found ? String(found[1]) : undefined;
}

/**
 * A `fetch` for Octokit that sends each GitHub request through the Jupyter
 * server (`POST jupyterlab-github-token/github`) and rebuilds GitHub's answer,
 * with all its headers, as a Response. Octokit stays the one client.
 */
export function serverGitHubFetch(apiBaseUrl: string): typeof fetch {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(base + '/')) {
      throw new TypeError('Request outside the GitHub API base URL');
    }
    const path = url.slice(base.length).split('?')[0];
    const authorization = headerValue(init?.headers, 'authorization') ?? '';
    const token = authorization.replace(/^(token|bearer)\s+/i, '');
    const response = await call('github', {
      method: 'POST',
      body: JSON.stringify({ apiBaseUrl: base, path, token }),
      signal: init?.signal ?? undefined
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
    const status = answer.status;
    const body =
      status === 204 || status === 205 || status === 304
        ? null
        : typeof answer.data === 'string'
          ? answer.data
          : JSON.stringify(answer.data ?? null);
    return new Response(body, { status, headers: answer.headers ?? {} });
  };
}

/**
 * Talks to the GitHub API through Octokit, loaded on first use so it stays out
 * of JupyterLab's start-up bundle. It only normalizes what comes back; what it
 * means for the user is decided by the pure module githubResponses.
 */
import type { ApiOutcome, NormalizedResponse } from './responses';

/** The smallest part of Octokit this module needs. */
interface IOctokitLike {
  request(
    route: string,
    params?: Record<string, unknown>
  ): Promise<{ status: number; headers: Record<string, unknown>; data: unknown }>;
}

/** Options for one verification round. */
export interface IVerifyRequest {
  token: string;
  apiBaseUrl: string;
  /** `{ owner, repo }` to check as well, in parallel with the user request. */
  repository?: { owner: string; repo: string };
  timeoutMs: number;
  /**
   * How to reach GitHub: the browser's own fetch (default), or a transport
   * through the Jupyter server (see serverApi.serverGitHubFetch).
   */
  fetch?: typeof fetch;
}

/** Raw outcomes of one verification round, ready for buildVerifyReport. */
export interface IVerifyOutcomes {
  user: ApiOutcome;
  repo?: ApiOutcome;
}

let octokitModule: Promise<typeof import('@octokit/rest')> | null = null;

/** Load Octokit once (a separate chunk, fetched on the first verification). */
function loadOctokit(): Promise<typeof import('@octokit/rest')> {
  if (!octokitModule) {
    octokitModule = import(/* webpackChunkName: "octokit" */ '@octokit/rest');
    octokitModule.catch(() => {
      // Let a later attempt retry the download (e.g. after a network blip).
      octokitModule = null;
    });
  }
  return octokitModule;
}

function lowercaseHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) {
      out[name.toLowerCase()] = String(value);
    }
  }
  return out;
}

function toResponse(r: { status: number; headers?: Record<string, unknown>; data?: unknown }): NormalizedResponse {
  return { status: r.status, headers: lowercaseHeaders(r.headers), data: r.data };
}

/**
 * Run one Octokit request and turn every result into an ApiOutcome: HTTP
 * answers (including errors) become responses; anything without a response is
 * a network problem (timeout when our deadline aborted it).
 */
async function settle(
  request: () => Promise<{ status: number; headers: Record<string, unknown>; data: unknown }>,
  timedOut: () => boolean
): Promise<ApiOutcome> {
  try {
    const answer = await request();
    // Our deadline may have cut the body short after the headers arrived.
    if (timedOut()) {
      return { kind: 'network', problem: 'timeout' };
    }
    return { kind: 'response', response: toResponse(answer) };
  } catch (error) {
    const e = error as {
      name?: string;
      status?: number;
      response?: { status: number; headers?: Record<string, unknown>; data?: unknown };
      message?: string;
    };
    if (timedOut()) {
      return { kind: 'network', problem: 'timeout' };
    }
    if (e && e.response && typeof e.response.status === 'number') {
      return { kind: 'response', response: toResponse(e.response) };
    }
    if (e?.name === 'AbortError') {
      return { kind: 'network', problem: 'timeout' };
    }
    // The browser's own words (e.g. "Failed to fetch"); never request details.
    return { kind: 'network', problem: 'unreachable', detail: e?.name === 'TypeError' ? e.message : undefined };
  }
}

/**
 * Ask the GitHub API about a token: `GET /user` (one round trip), plus
 * `GET /repos/{owner}/{repo}` in parallel when a repository is given.
 */
export async function requestVerification(options: IVerifyRequest): Promise<IVerifyOutcomes> {
  const { Octokit } = await loadOctokit();
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, options.timeoutMs);
  const quiet = () => undefined;
  const log = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  const octokit: IOctokitLike = new Octokit({
    auth: options.token,
    baseUrl: options.apiBaseUrl.replace(/\/+$/, ''),
    userAgent: 'jupyterlab-github-token',
    log,
    request: {
      log,
      signal: controller.signal,
      retries: 0,
      // GitHub answers with `Cache-Control: private, max-age=60`: a cached
      // answer would hide that a token was revoked a moment ago.
      fetch: (url: RequestInfo | URL, init?: RequestInit) =>
        (options.fetch ?? fetch)(url, { ...init, cache: 'no-store', credentials: 'omit' })
    }
  });
  const timedOut = () => expired;
  try {
    const userPromise = settle(() => octokit.request('GET /user'), timedOut);
    const repoPromise = options.repository
      ? settle(() => octokit.request('GET /repos/{owner}/{repo}', { ...options.repository }), timedOut)
      : undefined;
    const [user, repo] = await Promise.all([userPromise, repoPromise]);
    return repo ? { user, repo } : { user };
  } finally {
    clearTimeout(timer);
  }
}

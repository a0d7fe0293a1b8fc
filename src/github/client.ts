/**
 * Asks the GitHub API about a token, by one of two ways: from the page through
 * Octokit (loaded on first use, so it stays out of JupyterLab's start-up
 * bundle), or through a transport such as the Jupyter server's (see
 * server/api), which is given the token and the path as they are. Both ways
 * answer raw and meet in one normalisation step, `settle`; what the answers
 * mean for the user is decided by the pure module verifyReport.
 */
import { normalizeApiBaseUrl } from './apiBaseUrl';
import type { ApiOutcome, INormalizedResponse } from './apiOutcome';

/** A GitHub answer before normalisation: any HTTP status, headers as sent. */
export interface IGitHubAnswer {
  status: number;
  headers?: Record<string, unknown>;
  data?: unknown;
}

/** One GET to the GitHub API, with everything it needs said explicitly. */
export interface IGitHubGet {
  /** Normalised (see normalizeApiBaseUrl). */
  apiBaseUrl: string;
  /** `/user` or `/repos/{owner}/{repo}`, already encoded. */
  path: string;
  token: string;
  /** Aborted when the verification's deadline passes. */
  signal: AbortSignal;
}

/**
 * A way to the GitHub API other than the page's Octokit. Resolves to GitHub's
 * answer whatever its status; rejects as `fetch` does (a TypeError, whose
 * message may be shown, when unreachable; an AbortError on timeout).
 */
export type GitHubTransport = (get: IGitHubGet) => Promise<IGitHubAnswer>;

/** Options for one verification round. */
export interface IVerifyRequest {
  token: string;
  apiBaseUrl: string;
  /** `{ owner, repo }` to check as well, in parallel with the user request. */
  repository?: { owner: string; repo: string };
  timeoutMs: number;
  /** How to reach GitHub: the page's Octokit when absent. */
  transport?: GitHubTransport;
}

/** Raw outcomes of one verification round, ready for buildVerifyReport. */
export interface IVerifyOutcomes {
  user: ApiOutcome;
  repo?: ApiOutcome;
}

/** The smallest part of Octokit this module needs. */
interface IOctokitLike {
  request(route: string): Promise<IGitHubAnswer>;
}

let octokitModule: Promise<typeof import('@octokit/rest')> | null = null;

/** Load Octokit once (a separate chunk, fetched on the first verification from the page). */
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

/** GET `path` from the page with Octokit: the one GitHub client of the page. */
async function octokitTransport(token: string, apiBaseUrl: string, signal: AbortSignal): Promise<Get> {
  const { Octokit } = await loadOctokit();
  const quiet = () => undefined;
  const log = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  const octokit: IOctokitLike = new Octokit({
    auth: token,
    baseUrl: apiBaseUrl,
    userAgent: 'jupyterlab-github-token',
    log,
    request: {
      log,
      signal,
      retries: 0,
      // GitHub answers with `Cache-Control: private, max-age=60`: a cached
      // answer would hide that a token was revoked a moment ago.
      fetch: (url: RequestInfo | URL, init?: RequestInit) =>
        fetch(url, { ...init, cache: 'no-store', credentials: 'omit' })
    }
  });
  return path => octokit.request(`GET ${path}`);
}

/** One GET of a verification round. */
type Get = (path: string) => Promise<IGitHubAnswer>;

function lowercaseHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) {
      out[name.toLowerCase()] = String(value);
    }
  }
  return out;
}

function toResponse(r: IGitHubAnswer): INormalizedResponse {
  return { status: r.status, headers: lowercaseHeaders(r.headers), data: r.data };
}

/**
 * The one normalisation step: turn every result of a GET into an ApiOutcome.
 * HTTP answers (including errors, which Octokit throws with their response)
 * become responses; anything without a response is a network problem
 * (timeout when our deadline aborted it).
 */
async function settle(request: () => Promise<IGitHubAnswer>, timedOut: () => boolean): Promise<ApiOutcome> {
  try {
    const answer = await request();
    // Our deadline may have cut the body short after the headers arrived.
    if (timedOut()) {
      return { kind: 'network', problem: 'timeout' };
    }
    return { kind: 'response', response: toResponse(answer) };
  } catch (error) {
    const e = error as { name?: string; response?: IGitHubAnswer; message?: string };
    if (timedOut()) {
      return { kind: 'network', problem: 'timeout' };
    }
    if (e && e.response && typeof e.response.status === 'number') {
      return { kind: 'response', response: toResponse(e.response) };
    }
    if (e?.name === 'AbortError') {
      return { kind: 'network', problem: 'timeout' };
    }
    // The browser's (or the server's) own words, e.g. "Failed to fetch"; never request details.
    return { kind: 'network', problem: 'unreachable', detail: e?.name === 'TypeError' ? e.message : undefined };
  }
}

/**
 * Ask the GitHub API about a token: `GET /user` (one round trip), plus
 * `GET /repos/{owner}/{repo}` in parallel when a repository is given.
 */
export async function requestVerification(options: IVerifyRequest): Promise<IVerifyOutcomes> {
  const apiBaseUrl = normalizeApiBaseUrl(options.apiBaseUrl);
  if (apiBaseUrl === null) {
    // The policy refuses this URL (the model checks first): the token goes nowhere.
    throw new TypeError('The GitHub API base URL may not carry a token');
  }
  const controller = new AbortController();
  const { token, transport, repository } = options;
  const get: Get = transport
    ? path => transport({ apiBaseUrl, path, token, signal: controller.signal })
    : await octokitTransport(token, apiBaseUrl, controller.signal);
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, options.timeoutMs);
  const timedOut = () => expired;
  try {
    const userPromise = settle(() => get('/user'), timedOut);
    const repoPromise = repository
      ? settle(
          () => get(`/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.repo)}`),
          timedOut
        )
      : undefined;
    const [user, repo] = await Promise.all([userPromise, repoPromise]);
    return repo ? { user, repo } : { user };
  } finally {
    clearTimeout(timer);
  }
}

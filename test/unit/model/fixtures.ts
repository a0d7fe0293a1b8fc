/**
 * What the token model's specs share: GitHub answers as api.github.com sends
 * them, fake dependencies, and a server extension that answers.
 */
import type { ITokenModelDeps } from '../../../src/model/tokenModel';
import type { GitHubTransport, IVerifyOutcomes, IVerifyRequest } from '../../../src/github/client';
import type { ApiOutcome } from '../../../src/github/apiOutcome';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import type { IHeldTokenStatus, IHeldTokenUpdate, IHoldRequest, IServerStatus } from '../../../src/server/api';
import fakeTokens from '../../fake_github/tokens.json';
import type { SavedSettingKey } from '../../../src/settings';
import { trans } from '../support/trans';

export const tokens = fakeTokens.tokens;
export const CLASSIC = tokens.classicRepo.token;
export const READ_ONLY = tokens.classicReadOnly.token;

/** Headers as api.github.com sends them on GET /user (lowercased). */
function userHeaders(scopes: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-reset': '1795000000',
    'x-ratelimit-resource': 'core',
    'github-authentication-token-expiration': '2026-12-24 10:00:00 UTC'
  };
  if (scopes !== null) {
    headers['x-oauth-scopes'] = scopes;
  }
  return headers;
}

export function userOutcome(login = 'octo', scopes: string | null = 'repo, user'): ApiOutcome {
  return {
    kind: 'response',
    response: {
      status: 200,
      headers: userHeaders(scopes),
      data: {
        login,
        id: 5101,
        name: 'Octo Scientist',
        avatar_url: 'https://avatars.githubusercontent.com/u/5101?v=4',
        html_url: `https://github.com/${login}`,
        type: 'User'
      }
    }
  };
}

export function repoOutcome(fullName: string, push: boolean): ApiOutcome {
  return {
    kind: 'response',
    response: {
      status: 200,
      headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4998', 'x-ratelimit-reset': '1795000000' },
      data: {
        id: 1,
        name: fullName.split('/')[1],
        full_name: fullName,
        private: true,
        permissions: { admin: false, maintain: false, push, triage: push, pull: true }
      }
    }
  };
}

export const OK_WRITE: IKernelWriteResult = {
  ok: true,
  message: 'Set GITHUB_TOKEN, GH_TOKEN in the kernel.',
  variables: ['GITHUB_TOKEN', 'GH_TOKEN'],
  kernelDisplayName: 'Python 3'
};

export interface IFakeDeps extends ITokenModelDeps {
  requestVerification: jest.Mock<Promise<IVerifyOutcomes>, [IVerifyRequest]>;
  writeToKernel: jest.Mock<Promise<IKernelWriteResult>, [string, readonly string[]]>;
  saveChoice: jest.Mock<Promise<void>, [SavedSettingKey, string | boolean]>;
}

export function fakeDeps(): IFakeDeps {
  return {
    requestVerification: jest.fn(async (_options: IVerifyRequest): Promise<IVerifyOutcomes> => ({
      user: userOutcome()
    })),
    writeToKernel: jest.fn(async (_token: string, _names: readonly string[]): Promise<IKernelWriteResult> => OK_WRITE),
    saveChoice: jest.fn(async (_key: SavedSettingKey, _value: string | boolean): Promise<void> => undefined),
    trans
  };
}

/** A promise with its resolve function exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What a server extension without a token says (status v2). */
export const serverStatus: IServerStatus = {
  version: 2,
  tokens: [],
  allowedApiBaseUrls: ['https://api.github.com'],
  keychain: { enabled: true, available: true, backend: 'SecretService Keyring', reason: '' },
  kernels: [],
  kernelClashes: [],
  terminals: []
};

/** One token the server holds, as its status lists it (masked). */
export function heldEntry(overrides: Partial<IHeldTokenStatus> = {}): IHeldTokenStatus {
  return {
    apiBaseUrl: 'https://api.github.com',
    masked: `ghp_...${CLASSIC.slice(-4)}`,
    kind: 'classic',
    login: 'octo',
    expiresAt: '2026-12-24T10:00:00.000Z',
    scopes: ['repo', 'user'],
    setAt: '2026-01-01T00:00:00Z',
    variables: ['GITHUB_TOKEN', 'GH_TOKEN'],
    gitHosts: ['https://github.com'],
    forNewKernels: false,
    remembered: false,
    check: { status: 'unchecked', checkedAt: null, message: '' },
    ...overrides
  };
}

/** A status holding `entries`. */
export function holding(...entries: IHeldTokenStatus[]): IServerStatus {
  return { ...serverStatus, tokens: entries };
}

/** A `GET /user` answer without the expiry header (what a browser sees, or a token that never expires). */
export function userWithoutExpiry(): ApiOutcome {
  const outcome = userOutcome();
  if (outcome.kind === 'response') {
    delete outcome.response.headers['github-authentication-token-expiration'];
  }
  return outcome;
}

/**
 * Fake deps with a server extension, `present` or not (its status is then
 * null). The fake server keeps what it is given, as the real one does: PUT
 * holds the token (masked in the status), PATCH changes options, DELETE
 * forgets; `reveal` hands back the token held.
 */
export function serverDeps(present: boolean) {
  let current: IServerStatus = { ...serverStatus, tokens: [] };
  const held = new Map<string, string>();
  const put = (body: IHoldRequest): IServerStatus => {
    const previous = current.tokens.find(entry => entry.apiBaseUrl === body.apiBaseUrl);
    const forNewKernels = body.forNewKernels ?? previous?.forNewKernels ?? false;
    const entry = heldEntry({
      apiBaseUrl: body.apiBaseUrl,
      masked: `${body.token.slice(0, 4)}...${body.token.slice(-4)}`,
      login: body.login ?? null,
      expiresAt: body.expiresAt ?? null,
      scopes: body.scopes ?? null,
      variables: [...body.variables],
      forNewKernels,
      remembered: !!body.remember,
      setAt: new Date().toISOString() + Math.random()
    });
    held.set(body.apiBaseUrl, body.token);
    const others = current.tokens
      .filter(token => token.apiBaseUrl !== body.apiBaseUrl)
      .map(token => (forNewKernels ? { ...token, forNewKernels: false } : token));
    current = { ...current, tokens: [...others, entry] };
    return current;
  };
  const server = {
    status: jest.fn(async (): Promise<IServerStatus | null> => (present ? current : null)),
    hold: jest.fn(async (body: IHoldRequest): Promise<IServerStatus> => put(body)),
    update: jest.fn(async (body: IHeldTokenUpdate): Promise<IServerStatus> => {
      current = {
        ...current,
        tokens: current.tokens.map(entry =>
          entry.apiBaseUrl === body.apiBaseUrl
            ? {
                ...entry,
                forNewKernels: body.forNewKernels ?? entry.forNewKernels,
                remembered: body.remember ?? entry.remembered
              }
            : body.forNewKernels
              ? { ...entry, forNewKernels: false }
              : entry
        )
      };
      return current;
    }),
    forget: jest.fn(async (apiBaseUrl?: string): Promise<IServerStatus> => {
      current = { ...current, tokens: current.tokens.filter(entry => apiBaseUrl && entry.apiBaseUrl !== apiBaseUrl) };
      return { ...current, stillRunning: ['k1'], stillRunningTerminals: [], keychainRemoved: false };
    }),
    reveal: jest.fn(async (apiBaseUrl: string): Promise<string> => {
      const token = held.get(apiBaseUrl);
      if (!token) {
        throw new Error('No token is held for that URL.');
      }
      return token;
    }),
    recordKernel: jest.fn(async (_body: { kernelId: string; variables: readonly string[]; apiBaseUrl: string }) => {
      /* recorded */
    }),
    github: jest.fn() as jest.MockedFunction<GitHubTransport>,
    /** Set what the server holds, as another tab or a restart would (`token` for reveal). */
    preset(status: IServerStatus, tokens: Record<string, string> = {}): void {
      current = status;
      held.clear();
      for (const [url, token] of Object.entries(tokens)) {
        held.set(url, token);
      }
    }
  };
  const deps = { ...fakeDeps(), server, clearKernels: jest.fn(async (ids: readonly string[]) => [...ids]) };
  return { deps, server };
}

/** Let pending promise callbacks (auto-verify, holds, refreshes) run. */
export const settle = () => new Promise(resolve => setTimeout(resolve, 0));

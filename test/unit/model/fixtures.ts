/**
 * What the token model's specs share: GitHub answers as api.github.com sends
 * them, fake dependencies, and a server extension that answers.
 */
import type { ITokenModelDeps } from '../../../src/model/tokenModel';
import type { GitHubTransport, IVerifyOutcomes, IVerifyRequest } from '../../../src/github/client';
import type { ApiOutcome } from '../../../src/github/apiOutcome';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import type { IServerStatus } from '../../../src/server/api';
import fakeTokens from '../../fake_github/tokens.json';
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
  saveChoice: jest.Mock<Promise<void>, ['accessLevel' | 'tokenType', string]>;
}

export function fakeDeps(): IFakeDeps {
  return {
    requestVerification: jest.fn(async (_options: IVerifyRequest): Promise<IVerifyOutcomes> => ({
      user: userOutcome()
    })),
    writeToKernel: jest.fn(async (_token: string, _names: readonly string[]): Promise<IKernelWriteResult> => OK_WRITE),
    saveChoice: jest.fn(async (_key: 'accessLevel' | 'tokenType', _value: string): Promise<void> => undefined),
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

/** What a server extension without a token says. */
export const serverStatus: IServerStatus = {
  held: false,
  masked: null,
  login: null,
  expiresAt: null,
  variables: ['GITHUB_TOKEN', 'GH_TOKEN'],
  kernels: [],
  gitHosts: ['https://github.com'],
  allowedApiBaseUrls: ['https://api.github.com'],
  forgetsOnRestart: true,
  terminals: [],
  stillRunningTerminals: [],
  apiBaseUrl: null
};

/** A `GET /user` answer without the expiry header (what a browser sees, or a token that never expires). */
export function userWithoutExpiry(): ApiOutcome {
  const outcome = userOutcome();
  if (outcome.kind === 'response') {
    delete outcome.response.headers['github-authentication-token-expiration'];
  }
  return outcome;
}

/** Fake deps with a server extension, `present` or not (its status is then null). */
export function serverDeps(present: boolean) {
  const status = serverStatus;
  const server = {
    status: jest.fn(async (): Promise<IServerStatus | null> => (present ? { ...status } : null)),
    hold: jest.fn(async (_body: unknown): Promise<IServerStatus> => ({
      ...status,
      held: true,
      masked: 'ghp_...xxxx'
    })),
    forget: jest.fn(async (): Promise<IServerStatus> => ({ ...status, held: false, stillRunning: ['k1'] })),
    github: jest.fn() as jest.MockedFunction<GitHubTransport>
  };
  const deps = { ...fakeDeps(), server, clearKernels: jest.fn(async (ids: readonly string[]) => [...ids]) };
  return { deps, server };
}

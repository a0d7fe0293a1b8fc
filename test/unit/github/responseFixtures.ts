/**
 * GitHub API answers shared by the specs of headers, problems and the verify
 * report: headers and bodies as api.github.com sends them.
 */
import type { ApiOutcome, INormalizedResponse } from '../../../src/github/apiOutcome';
import type { IProblemContext } from '../../../src/github/problems';

export const NOW = new Date('2026-11-24T12:00:00Z');
export const RESET_EPOCH = 1795000000; // seconds

/** Headers as api.github.com sends them on GET /user (lowercased). */
export function rateHeaders(remaining = 4999): Record<string, string> {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-used': String(5000 - remaining),
    'x-ratelimit-reset': String(RESET_EPOCH),
    'x-ratelimit-resource': 'core'
  };
}

export function response(status: number, headers: Record<string, string>, data: unknown): ApiOutcome {
  const r: INormalizedResponse = { status, headers, data };
  return { kind: 'response', response: r };
}

export const USER_BODY = {
  login: 'octocat',
  id: 583231,
  name: 'The Octocat',
  avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
  html_url: 'https://github.com/octocat',
  type: 'User'
};

export const BAD_CREDENTIALS = {
  message: 'Bad credentials',
  documentation_url: 'https://docs.github.com/rest',
  status: '401'
};

export const NOT_FOUND = {
  message: 'Not Found',
  documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
  status: '404'
};

export const SSO_URL = 'https://github.com/orgs/octo-org/sso?authorization_request=A5VUW0N5GHJQ3XCHOSG2X5QUT0QNBQ';

export const userContext: IProblemContext = {
  apiBaseUrl: 'https://api.github.com',
  webBaseUrl: 'https://github.com',
  what: 'user',
  now: NOW
};
export const repoContext: IProblemContext = {
  ...userContext,
  what: 'repo',
  repoFullName: 'octo-org/private-repo'
};

import {
  ApiOutcome,
  bodyMessage,
  buildVerifyReport,
  formatLocalTime,
  NormalizedResponse,
  parseExpiryHeader,
  parseRateLimit,
  parseRepoFullName,
  parseSsoHeader,
  problemFromOutcome,
  ProblemContext,
  VerifyInput
} from '../../../src/github/responses';

const NOW = new Date('2026-11-24T12:00:00Z');
const RESET_EPOCH = 1795000000; // seconds

/** Headers as api.github.com sends them on GET /user (lowercased). */
function rateHeaders(remaining = 4999): Record<string, string> {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-used': String(5000 - remaining),
    'x-ratelimit-reset': String(RESET_EPOCH),
    'x-ratelimit-resource': 'core'
  };
}

function response(status: number, headers: Record<string, string>, data: unknown): ApiOutcome {
  const r: NormalizedResponse = { status, headers, data };
  return { kind: 'response', response: r };
}

const USER_BODY = {
  login: 'octocat',
  id: 583231,
  name: 'The Octocat',
  avatar_url: 'https://avatars.githubusercontent.com/u/583231?v=4',
  html_url: 'https://github.com/octocat',
  type: 'User'
};

const BAD_CREDENTIALS = {
  message: 'Bad credentials',
  documentation_url: 'https://docs.github.com/rest',
  status: '401'
};

const NOT_FOUND = {
  message: 'Not Found',
  documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
  status: '404'
};

const SSO_URL = 'https://github.com/orgs/octo-org/sso?authorization_request=A5VUW0N5GHJQ3XCHOSG2X5QUT0QNBQ';

const userContext: ProblemContext = {
  apiBaseUrl: 'https://api.github.com',
  webBaseUrl: 'https://github.com',
  what: 'user',
  now: NOW
};
const repoContext: ProblemContext = {
  ...userContext,
  what: 'repo',
  repoFullName: 'octo-org/private-repo'
};

describe('parseRateLimit', () => {
  it('reads the x-ratelimit-* headers', () => {
    expect(parseRateLimit(rateHeaders(4990))).toEqual({
      limit: 5000,
      remaining: 4990,
      used: 10,
      resetAt: new Date(RESET_EPOCH * 1000),
      resource: 'core'
    });
  });

  it('needs limit, remaining and reset', () => {
    expect(parseRateLimit({})).toBeUndefined();
    expect(parseRateLimit({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' })).toBeUndefined();
    expect(
      parseRateLimit({
        'x-ratelimit-limit': 'lots',
        'x-ratelimit-remaining': '1',
        'x-ratelimit-reset': '1'
      })
    ).toBeUndefined();
  });

  it('makes used and resource optional, and tolerates header case', () => {
    expect(
      parseRateLimit({
        'X-RateLimit-Limit': '60',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '1700000000'
      })
    ).toEqual({ limit: 60, remaining: 0, resetAt: new Date(1700000000000) });
  });
});

describe('parseSsoHeader', () => {
  it('extracts the authorization URL', () => {
    expect(parseSsoHeader(`required; url=${SSO_URL}`)).toBe(SSO_URL);
  });

  it('ignores headers without a URL, and non-http URLs', () => {
    expect(parseSsoHeader(undefined)).toBeUndefined();
    expect(parseSsoHeader(null)).toBeUndefined();
    expect(parseSsoHeader('required')).toBeUndefined();
    expect(parseSsoHeader('partial-results; organizations=21955855,20582480')).toBeUndefined();
    expect(parseSsoHeader('required; url=javascript:alert(1)')).toBeUndefined();
    expect(parseSsoHeader('required; url=data:text/html,x')).toBeUndefined();
    expect(parseSsoHeader('required; url=not a url')).toBeUndefined();
  });
});

describe('parseExpiryHeader', () => {
  it('parses UTC and numeric offsets', () => {
    expect(parseExpiryHeader('2026-12-24 10:00:00 UTC')).toEqual(new Date('2026-12-24T10:00:00Z'));
    expect(parseExpiryHeader('2026-12-24 10:00:00 -0700')).toEqual(new Date('2026-12-24T17:00:00Z'));
    expect(parseExpiryHeader('2026-12-24 10:00:00 +0530')).toEqual(new Date('2026-12-24T04:30:00Z'));
  });

  it('returns null when absent and undefined when unparsable', () => {
    expect(parseExpiryHeader(null)).toBeNull();
    expect(parseExpiryHeader(undefined)).toBeNull();
    for (const value of [
      '',
      'soon',
      '2026-13-01 00:00:00 UTC',
      '2026-02-30 00:00:00 UTC',
      '2026-12-24 25:00:00 UTC',
      '2026-12-24 10:00:00 PST'
    ]) {
      expect(parseExpiryHeader(value)).toBeUndefined();
    }
  });
});

describe('bodyMessage', () => {
  it('never trusts the body', () => {
    expect(bodyMessage(BAD_CREDENTIALS)).toBe('Bad credentials');
    expect(bodyMessage(JSON.stringify(BAD_CREDENTIALS))).toBe('Bad credentials');
    expect(bodyMessage('<html>Proxy error</html>')).toBeUndefined();
    expect(bodyMessage('{not json')).toBeUndefined();
    expect(bodyMessage(null)).toBeUndefined();
    expect(bodyMessage(42)).toBeUndefined();
    expect(bodyMessage(['message'])).toBeUndefined();
    expect(bodyMessage({ message: 42 })).toBeUndefined();
    expect(bodyMessage({ message: 'x'.repeat(5000) })!.length).toBeLessThanOrEqual(300);
  });

  it('redacts anything that looks like a token', () => {
    expect(bodyMessage({ message: 'token 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 is bad' })).toBe(
      'token [redacted] is bad'
    );
  });

  it('redacts old 40-character hexadecimal tokens', () => {
    const legacy = 'e72e16c7e42f292c6912e7710c838347ae178b4a';
    expect(bodyMessage({ message: `Bad credentials for token ${legacy}.` })).toBe(
      'Bad credentials for token [redacted].'
    );
    expect(bodyMessage({ message: `Authorization: token ${legacy}` })).toBe('Authorization: token [redacted]');
    // In quotes, after "=", in JSON strings, at the start and the end.
    expect(bodyMessage({ message: `token="${legacy}"` })).toBe('token="[redacted]"');
    expect(bodyMessage({ message: `${legacy}` })).toBe('[redacted]');
    expect(bodyMessage(JSON.stringify({ message: `oauth_token=${legacy}&x=1` }))).toBe('oauth_token=[redacted]&x=1');
    // Upper case, and glued to more hexadecimal digits.
    expect(bodyMessage({ message: `T ${legacy.toUpperCase()}` })).toBe('T [redacted]');
    expect(bodyMessage({ message: `x ${legacy}0123abcd y` })).toBe('x [redacted] y');
    // Several tokens, of both formats.
    expect(
      bodyMessage({
        message: `${legacy} and 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 and token_gho_abcdEF0123`
      })
    ).toBe('[redacted] and [redacted] and token_[redacted]');
  });

  it('keeps ordinary text and shorter hexadecimal strings', () => {
    expect(bodyMessage({ message: 'Commit 0123456789abcdef0123456789abcdef0123456 not found' })).toBe(
      'Commit 0123456789abcdef0123456789abcdef0123456 not found'
    );
    expect(bodyMessage({ message: 'Not Found' })).toBe('Not Found');
  });

  it('redacts hexadecimal tokens in every server text shown, not only the body', () => {
    const legacy = 'e72e16c7e42f292c6912e7710c838347ae178b4a';
    const problem = problemFromOutcome(
      { kind: 'network', problem: 'unreachable', detail: `GET ?access_token=${legacy} failed` },
      userContext
    );
    expect(problem?.message).not.toContain(legacy);
    expect(problem?.message).toContain('[redacted]');
  });
});

describe('problemFromOutcome', () => {
  it('is undefined for 2xx', () => {
    expect(problemFromOutcome(response(200, rateHeaders(), USER_BODY), userContext)).toBeUndefined();
    expect(problemFromOutcome(response(204, {}, ''), userContext)).toBeUndefined();
  });

  it('401 is bad-credentials with a link to the token settings', () => {
    const problem = problemFromOutcome(
      response(401, { ...rateHeaders(59), 'x-ratelimit-limit': '60' }, BAD_CREDENTIALS),
      userContext
    );
    expect(problem).toMatchObject({
      code: 'bad-credentials',
      message: 'GitHub does not accept this token: it is wrong, expired or revoked.',
      link: { href: 'https://github.com/settings/tokens' }
    });
    expect(problem?.nextStep).toMatch(/new token/);
  });

  it('links fine-grained settings on GitHub Enterprise', () => {
    const problem = problemFromOutcome(response(401, {}, BAD_CREDENTIALS), {
      ...userContext,
      webBaseUrl: 'https://github.example.com/',
      apiBaseUrl: 'https://github.example.com/api/v3',
      tokenKind: 'fine-grained'
    });
    expect(problem?.link?.href).toBe('https://github.example.com/settings/personal-access-tokens');
  });

  it.each([403, 429])('%i with remaining 0 is a primary rate limit', status => {
    const problem = problemFromOutcome(
      response(status, rateHeaders(0), {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'
      }),
      userContext
    );
    const resetAt = new Date(RESET_EPOCH * 1000);
    expect(problem).toMatchObject({ code: 'rate-limited', resetAt });
    expect(problem?.message).toContain(formatLocalTime(resetAt));
    expect(problem?.message).toContain('5000');
  });

  it.each([403, 429])('%i with retry-after is a secondary rate limit', status => {
    const problem = problemFromOutcome(
      response(
        status,
        { ...rateHeaders(4000), 'retry-after': '120' },
        {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
        }
      ),
      userContext
    );
    const resetAt = new Date(NOW.getTime() + 120000);
    expect(problem).toMatchObject({ code: 'rate-limited', resetAt });
    expect(problem?.message).toContain(formatLocalTime(resetAt));
  });

  it('a secondary rate limit without retry-after waits a minute', () => {
    const problem = problemFromOutcome(
      response(403, rateHeaders(4000), {
        message: 'You have exceeded a secondary rate limit.'
      }),
      userContext
    );
    expect(problem).toMatchObject({ code: 'rate-limited', resetAt: new Date(NOW.getTime() + 60000) });
  });

  it('403 with x-github-sso is sso-required with the authorization link', () => {
    const problem = problemFromOutcome(
      response(
        403,
        { ...rateHeaders(), 'x-github-sso': `required; url=${SSO_URL}` },
        {
          message:
            'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
          documentation_url:
            'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/'
        }
      ),
      repoContext
    );
    expect(problem?.code).toBe('sso-required');
    expect(problem?.link?.href).toBe(SSO_URL);
  });

  it('403 with an unusable x-github-sso falls back to the settings link', () => {
    const problem = problemFromOutcome(
      response(403, { 'x-github-sso': 'required; url=javascript:alert(1)' }, {}),
      repoContext
    );
    expect(problem?.code).toBe('sso-required');
    expect(problem?.link?.href).toBe('https://github.com/settings/tokens');
  });

  it('other 403 is forbidden, with the body message and accepted scopes/permissions', () => {
    const problem = problemFromOutcome(
      response(
        403,
        {
          ...rateHeaders(),
          'x-accepted-oauth-scopes': 'repo',
          'x-accepted-github-permissions': 'contents=read'
        },
        { message: 'Resource not accessible by personal access token', status: '403' }
      ),
      repoContext
    );
    expect(problem?.code).toBe('forbidden');
    expect(problem?.message).toContain('Resource not accessible by personal access token');
    expect(problem?.message).toContain('repo');
    expect(problem?.message).toContain('contents=read');
  });

  describe('403 because of an organization token policy: no advice to add scopes', () => {
    /** 403 bodies as GitHub sends them for organization token policies. */
    const CLASSIC_FORBIDDEN = {
      message:
        '`octo-org` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.',
      documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
      status: '403'
    };
    const CLASSIC_FORBIDDEN_GIT_WORDING = {
      message: 'Personal access tokens (classic) are forbidden from accessing this repository.',
      status: '403'
    };
    const FINE_GRAINED_REQUIRED = {
      message:
        'The octo-org organization requires fine-grained personal access tokens; personal access tokens (classic) are not allowed.',
      status: '403'
    };
    const LIFETIME = {
      message:
        "The 'octo-org' organization forbids access via a fine-grained personal access tokens if the token's lifetime is greater than 90 days. Please adjust your token's lifetime at the following URL: https://github.com/settings/personal-access-tokens/12885303",
      documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
      status: '403'
    };
    const PENDING = {
      message:
        "The 'octo-org' organization requires approval of fine-grained personal access tokens. The request for this token is pending approval by an organization owner.",
      documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
      status: '403'
    };

    /** Headers GitHub sends with such a 403 (including accepted permissions). */
    const policyHeaders = {
      ...rateHeaders(4990),
      'x-accepted-oauth-scopes': 'repo',
      'x-accepted-github-permissions': 'metadata=read'
    };

    function expectNoScopeAdvice(problem: ReturnType<typeof problemFromOutcome>): void {
      expect(problem?.code).toBe('forbidden');
      expect(problem?.nextStep).not.toMatch(/give the token the scopes/i);
      expect(problem?.nextStep).not.toMatch(/add (?:the )?scopes/i);
      expect(problem?.message).not.toMatch(/Scopes that allow it/);
      expect(problem?.nextStep).toMatch(/organization's policy/);
    }

    it.each([
      ['GitHub API wording', CLASSIC_FORBIDDEN],
      ['git wording', CLASSIC_FORBIDDEN_GIT_WORDING],
      ['fine-grained required', FINE_GRAINED_REQUIRED]
    ])('classic tokens forbidden (%s): use a fine-grained token', (_label, body) => {
      const problem = problemFromOutcome(response(403, policyHeaders, body), {
        ...repoContext,
        tokenKind: 'classic'
      });
      expectNoScopeAdvice(problem);
      expect(problem?.message).toContain(body.message);
      expect(problem?.nextStep).toMatch(/fine-grained personal access token/);
      expect(problem?.link?.href).toBe('https://github.com/settings/personal-access-tokens');
    });

    it('the JSON body may also arrive as a string', () => {
      const problem = problemFromOutcome(response(403, {}, JSON.stringify(CLASSIC_FORBIDDEN)), userContext);
      expectNoScopeAdvice(problem);
      expect(problem?.nextStep).toMatch(/fine-grained/);
    });

    it('token lifetime policy: use a shorter expiration', () => {
      const problem = problemFromOutcome(response(403, policyHeaders, LIFETIME), {
        ...repoContext,
        tokenKind: 'fine-grained'
      });
      expectNoScopeAdvice(problem);
      expect(problem?.message).toContain("the token's lifetime is greater than 90 days");
      expect(problem?.nextStep).toMatch(/shorter expiration/);
      expect(problem?.nextStep).not.toMatch(/approv/);
      expect(problem?.link?.href).toBe('https://github.com/settings/personal-access-tokens');
    });

    it('token lifetime policy on GitHub Enterprise links that host', () => {
      const problem = problemFromOutcome(response(403, {}, LIFETIME), {
        ...userContext,
        apiBaseUrl: 'https://github.example.com/api/v3',
        webBaseUrl: 'https://github.example.com',
        tokenKind: 'fine-grained'
      });
      expect(problem?.link?.href).toBe('https://github.example.com/settings/personal-access-tokens');
    });

    it("pending approval: wait for an owner's approval", () => {
      const problem = problemFromOutcome(response(403, policyHeaders, PENDING), {
        ...repoContext,
        tokenKind: 'fine-grained'
      });
      expectNoScopeAdvice(problem);
      expect(problem?.nextStep).toMatch(/approval/);
      expect(problem?.nextStep).toMatch(/owner/);
      expect(problem?.nextStep).not.toMatch(/shorter expiration/);
    });

    it('a short "pending" body is enough', () => {
      const problem = problemFromOutcome(response(403, {}, { message: 'Token access request pending.' }), repoContext);
      expectNoScopeAdvice(problem);
      expect(problem?.nextStep).toMatch(/approval/);
    });

    it('rate limits and SSO still take precedence', () => {
      expect(problemFromOutcome(response(403, rateHeaders(0), CLASSIC_FORBIDDEN), userContext)?.code).toBe(
        'rate-limited'
      );
      expect(
        problemFromOutcome(response(403, { 'x-github-sso': `required; url=${SSO_URL}` }, PENDING), repoContext)?.code
      ).toBe('sso-required');
    });

    it('an ordinary permission 403 still advises scopes or permissions', () => {
      for (const message of [
        'Resource not accessible by personal access token',
        'Resource not accessible by integration',
        'Must have admin rights to Repository.'
      ]) {
        const problem = problemFromOutcome(response(403, {}, { message }), repoContext);
        expect(problem?.code).toBe('forbidden');
        expect(problem?.nextStep).toMatch(/scopes or permissions it needs/);
      }
    });

    it('the policy is recognized on 403 only', () => {
      const problem = problemFromOutcome(response(422, {}, CLASSIC_FORBIDDEN), userContext);
      expect(problem?.code).toBe('unexpected');
    });
  });

  it('403 with an HTML body is still forbidden', () => {
    const problem = problemFromOutcome(response(403, {}, '<html>Forbidden</html>'), userContext);
    expect(problem?.code).toBe('forbidden');
    expect(problem?.message).toContain('403');
    expect(problem?.message).not.toContain('<html>');
  });

  it('404 on a repository is repo-not-found', () => {
    const problem = problemFromOutcome(response(404, rateHeaders(), NOT_FOUND), repoContext);
    expect(problem?.code).toBe('repo-not-found');
    expect(problem?.message).toContain('octo-org/private-repo');
    expect(problem?.message).toContain('not found, or this token is not granted access to it');
  });

  it('404 on a repository explains repository access for fine-grained tokens', () => {
    const problem = problemFromOutcome(response(404, {}, NOT_FOUND), {
      ...repoContext,
      tokenKind: 'fine-grained'
    });
    expect(problem?.message).toMatch(/Repository access/);
    expect(problem?.nextStep).toMatch(/Repository access/);
  });

  it('404 on the user is unexpected and points at the API base URL', () => {
    const problem = problemFromOutcome(response(404, {}, NOT_FOUND), userContext);
    expect(problem?.code).toBe('unexpected');
    expect(problem?.nextStep).toMatch(/API base URL/);
  });

  it.each([500, 502, 503])('%i is server-error', status => {
    const problem = problemFromOutcome(response(status, {}, 'Bad gateway'), userContext);
    expect(problem?.code).toBe('server-error');
    expect(problem?.message).toContain(String(status));
    expect(problem?.link?.href).toBe('https://www.githubstatus.com/');
  });

  it('server errors on GitHub Enterprise do not link githubstatus', () => {
    const problem = problemFromOutcome(response(500, {}, null), {
      ...userContext,
      apiBaseUrl: 'https://github.example.com/api/v3'
    });
    expect(problem?.link).toBeUndefined();
  });

  it('network timeout and unreachable', () => {
    expect(problemFromOutcome({ kind: 'network', problem: 'timeout' }, userContext)?.code).toBe('timeout');
    const problem = problemFromOutcome(
      { kind: 'network', problem: 'unreachable', detail: 'Failed to fetch' },
      { ...userContext, apiBaseUrl: 'https://github.example.com/api/v3' }
    );
    expect(problem?.code).toBe('unreachable');
    expect(problem?.message).toContain('https://github.example.com/api/v3');
    expect(problem?.message).toContain('Failed to fetch');
    expect(problem?.nextStep).toMatch(/API base URL/);
    expect(problem?.nextStep).toMatch(/proxy/);
    expect(problem?.nextStep).toMatch(/Enterprise/);
  });

  it('unreachable also explains that the API may refuse cross-origin requests (CORS)', () => {
    for (const detail of [undefined, 'TypeError: Failed to fetch']) {
      const problem = problemFromOutcome(
        { kind: 'network', problem: 'unreachable', detail },
        { ...userContext, apiBaseUrl: 'https://github.example.com/api/v3' }
      );
      expect(problem?.message).toMatch(/cross-origin/);
      expect(problem?.message).toMatch(/CORS/);
      expect(problem?.message).toMatch(/GitHub Enterprise/);
      expect(problem?.nextStep).toMatch(/CORS/);
      // Proxies and the API base URL setting are still mentioned.
      expect(problem?.nextStep).toMatch(/proxy/);
      expect(problem?.nextStep).toMatch(/"GitHub API base URL" setting/);
    }
  });

  it('other statuses are unexpected', () => {
    const problem = problemFromOutcome(response(422, {}, { message: 'Validation Failed' }), userContext);
    expect(problem?.code).toBe('unexpected');
    expect(problem?.message).toContain('Validation Failed');
  });
});

describe('buildVerifyReport', () => {
  const base = {
    apiBaseUrl: 'https://api.github.com',
    webBaseUrl: 'https://github.com',
    now: NOW
  };

  function classicUser(scopes: string, extra: Record<string, string> = {}): ApiOutcome {
    return response(200, { ...rateHeaders(), 'x-oauth-scopes': scopes, ...extra }, USER_BODY);
  }

  const fineUser = response(200, rateHeaders(), USER_BODY);

  const repoOk = (push: boolean, isPrivate = true): ApiOutcome =>
    response(200, rateHeaders(), {
      full_name: 'octo-org/private-repo',
      private: isPrivate,
      permissions: { admin: false, maintain: false, push, triage: push, pull: true }
    });

  it('classic token with repo, read-write: ok', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: classicUser('repo, user')
    });
    expect(report).toMatchObject({
      ok: true,
      tokenKind: 'classic',
      account: {
        login: 'octocat',
        name: 'The Octocat',
        avatarUrl: USER_BODY.avatar_url,
        htmlUrl: USER_BODY.html_url
      },
      scopes: ['repo', 'user'],
      missingScopes: [],
      excessWrite: false,
      rateLimit: { limit: 5000, remaining: 4999 }
    });
    expect(report.expiresAt).toBeUndefined();
    expect(report.problem).toBeUndefined();
    expect(report.notes[0]).toContain('octocat');
  });

  it('classic token with only public_repo, read-write: repo missing', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: classicUser('public_repo')
    });
    expect(report.ok).toBe(false);
    expect(report.missingScopes).toEqual(['repo']);
    expect(report.notes.join(' ')).toMatch(/only to public repositories/);
  });

  it('classic token with no scopes, read-write-public: public_repo missing', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-write-public',
      user: classicUser('')
    });
    expect(report.scopes).toEqual([]);
    expect(report.missingScopes).toEqual(['public_repo']);
    expect(report.ok).toBe(false);
    expect(report.notes.join(' ')).toMatch(/lacks the scope public_repo/);
  });

  it('read-only with a repo token: excess write and a recommendation', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-only',
      user: classicUser('repo')
    });
    expect(report.ok).toBe(true);
    expect(report.excessWrite).toBe(true);
    expect(report.notes.join(' ')).toMatch(/fine-grained token with read-only/);
  });

  it('fine-grained: scopes unknown, explained in the notes', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'fine-grained',
      access: 'read-write',
      user: fineUser
    });
    expect(report).toMatchObject({ ok: true, scopes: null, missingScopes: [], excessWrite: false });
    expect(report.notes[0]).toBe(
      'GitHub does not report the permissions of fine-grained tokens; verified: the token is valid and belongs to octocat.'
    );
  });

  it('fine-grained with a reachable repository the account can push to', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'fine-grained',
      access: 'read-write',
      user: fineUser,
      repo: { fullName: 'octo-org/private-repo', outcome: repoOk(true) }
    });
    expect(report.ok).toBe(true);
    expect(report.repo).toEqual({
      fullName: 'octo-org/private-repo',
      reachable: true,
      private: true,
      canPush: true,
      canPull: true
    });
    const notes = report.notes.join(' ');
    expect(notes).toContain('octo-org/private-repo');
    expect(notes).toMatch(/not those of the token/);
  });

  it('repository readable only: not ok for read-write, ok for read-only', () => {
    const input: VerifyInput = {
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: classicUser('repo'),
      repo: { fullName: 'octo-org/private-repo', outcome: repoOk(false) }
    };
    const report = buildVerifyReport(input);
    expect(report.ok).toBe(false);
    expect(report.repo?.canPush).toBe(false);
    expect(report.repo?.problem?.code).toBe('forbidden');
    const readOnly = buildVerifyReport({ ...input, access: 'read-only', user: classicUser('') });
    expect(readOnly.ok).toBe(true);
    expect(readOnly.repo?.problem).toBeUndefined();
  });

  it('repository not found', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'fine-grained',
      access: 'read-only',
      user: fineUser,
      repo: { fullName: 'octo-org/private-repo', outcome: response(404, {}, NOT_FOUND) }
    });
    expect(report.ok).toBe(false);
    expect(report.repo).toMatchObject({ reachable: false, problem: { code: 'repo-not-found' } });
    expect(report.notes.join(' ')).toContain('octo-org/private-repo');
  });

  it('repository behind SSO', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: classicUser('repo'),
      repo: {
        fullName: 'octo-org/private-repo',
        outcome: response(403, { 'x-github-sso': `required; url=${SSO_URL}` }, {})
      }
    });
    expect(report.ok).toBe(false);
    expect(report.repo?.problem).toMatchObject({ code: 'sso-required', link: { href: SSO_URL } });
  });

  it('bad credentials', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: response(401, {}, BAD_CREDENTIALS)
    });
    expect(report.ok).toBe(false);
    expect(report.problem?.code).toBe('bad-credentials');
    expect(report.account).toBeUndefined();
    expect(report.scopes).toBeNull();
  });

  it('network failure', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: { kind: 'network', problem: 'unreachable' }
    });
    expect(report.ok).toBe(false);
    expect(report.problem?.code).toBe('unreachable');
    expect(report.rateLimit).toBeUndefined();
  });

  it('a 200 that is not a GitHub user is malformed', () => {
    for (const data of ['<html>captive portal</html>', null, [], { id: 1 }]) {
      const report = buildVerifyReport({
        ...base,
        tokenKind: 'classic',
        access: 'read-only',
        user: response(200, {}, data)
      });
      expect(report.ok).toBe(false);
      expect(report.problem?.code).toBe('malformed');
    }
  });

  it('reads the expiry only when the header is present', () => {
    const withExpiry = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: classicUser('repo', {
        'github-authentication-token-expiration': '2026-12-24 10:00:00 UTC'
      })
    });
    expect(withExpiry.expiresAt).toEqual(new Date('2026-12-24T10:00:00Z'));
    const unreadable = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: classicUser('repo', { 'github-authentication-token-expiration': 'garbage' })
    });
    expect(unreadable.expiresAt).toBeUndefined();
    expect('expiresAt' in unreadable).toBe(false);
  });

  it('ignores unsafe account URLs', () => {
    const report = buildVerifyReport({
      ...base,
      tokenKind: 'classic',
      access: 'read-only',
      user: response(
        200,
        { 'x-oauth-scopes': '' },
        {
          login: 'octocat',
          avatar_url: 'javascript:alert(1)',
          html_url: 'data:text/html,x'
        }
      )
    });
    expect(report.account).toEqual({ login: 'octocat' });
  });
});

describe('parseRepoFullName', () => {
  it.each([
    ['octocat/Hello-World', { owner: 'octocat', repo: 'Hello-World' }],
    ['  octocat/hello.world_2  ', { owner: 'octocat', repo: 'hello.world_2' }],
    ['https://github.com/octocat/Hello-World', { owner: 'octocat', repo: 'Hello-World' }],
    ['https://github.com/octocat/Hello-World.git', { owner: 'octocat', repo: 'Hello-World' }],
    ['https://github.com/octocat/Hello-World/', { owner: 'octocat', repo: 'Hello-World' }]
  ])('accepts %p', (input, expected) => {
    expect(parseRepoFullName(input)).toEqual(expected);
  });

  it.each([
    '',
    'octocat',
    'octocat/',
    '/repo',
    'a/b/c',
    'octocat/..',
    'octocat/.',
    'octo cat/repo',
    '-octocat/repo',
    'octocat/re po',
    "octocat/re'po",
    'https://github.com/octocat',
    'https://github.com/octocat/Hello-World/tree/main',
    'https://github.com/octocat/Hello-World?tab=readme',
    'https://github.com/octocat/Hello-World#readme',
    'http://github.com/octocat/Hello-World',
    'https://gitlab.com/octocat/Hello-World',
    'https://github.com.evil.com/octocat/Hello-World',
    'https://user@github.com/octocat/Hello-World',
    'git@github.com:octocat/Hello-World.git',
    'javascript:alert(1)'
  ])('rejects %p', input => {
    expect(parseRepoFullName(input)).toBeUndefined();
  });

  it('accepts URLs of the configured GitHub Enterprise host', () => {
    expect(parseRepoFullName('https://github.example.com/team/project.git', 'https://github.example.com')).toEqual({
      owner: 'team',
      repo: 'project'
    });
    expect(parseRepoFullName('https://github.example.com/team/project')).toBeUndefined();
  });
});

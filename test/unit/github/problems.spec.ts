import { formatLocalTime, problemFromOutcome } from '../../../src/github/problems';
import { trans } from '../support/trans';
import {
  BAD_CREDENTIALS,
  NOT_FOUND,
  NOW,
  RESET_EPOCH,
  rateHeaders,
  repoContext,
  response,
  SSO_URL,
  USER_BODY,
  userContext
} from './responseFixtures';

describe('server text in problems', () => {
  it('redacts hexadecimal tokens in every server text shown, not only the body', () => {
    const legacy = 'e72e16c7e42f292c6912e7710c838347ae178b4a';
    const problem = problemFromOutcome(
      { kind: 'network', problem: 'unreachable', detail: `GET ?access_token=${legacy} failed` },
      userContext,
      trans
    );
    expect(problem?.message).not.toContain(legacy);
    expect(problem?.message).toContain('[redacted]');
  });
});

describe('problemFromOutcome', () => {
  it('is undefined for 2xx', () => {
    expect(problemFromOutcome(response(200, rateHeaders(), USER_BODY), userContext, trans)).toBeUndefined();
    expect(problemFromOutcome(response(204, {}, ''), userContext, trans)).toBeUndefined();
  });

  it('401 is bad-credentials with a link to the token settings', () => {
    const problem = problemFromOutcome(
      response(401, { ...rateHeaders(59), 'x-ratelimit-limit': '60' }, BAD_CREDENTIALS),
      userContext,
      trans
    );
    expect(problem).toMatchObject({
      code: 'bad-credentials',
      message: 'GitHub does not accept this token: it is wrong, expired or revoked.',
      link: { href: 'https://github.com/settings/tokens' }
    });
    expect(problem?.nextStep).toMatch(/new token/);
  });

  it('links fine-grained settings on GitHub Enterprise', () => {
    const problem = problemFromOutcome(
      response(401, {}, BAD_CREDENTIALS),
      {
        ...userContext,
        webBaseUrl: 'https://github.example.com/',
        apiBaseUrl: 'https://github.example.com/api/v3',
        tokenKind: 'fine-grained'
      },
      trans
    );
    expect(problem?.link?.href).toBe('https://github.example.com/settings/personal-access-tokens');
  });

  it.each([403, 429])('%i with remaining 0 is a primary rate limit', status => {
    const problem = problemFromOutcome(
      response(status, rateHeaders(0), {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'
      }),
      userContext,
      trans
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
      userContext,
      trans
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
      userContext,
      trans
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
      repoContext,
      trans
    );
    expect(problem?.code).toBe('sso-required');
    expect(problem?.link?.href).toBe(SSO_URL);
  });

  it('403 with an unusable x-github-sso falls back to the settings link', () => {
    const problem = problemFromOutcome(
      response(403, { 'x-github-sso': 'required; url=javascript:alert(1)' }, {}),
      repoContext,
      trans
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
      repoContext,
      trans
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
      const problem = problemFromOutcome(
        response(403, policyHeaders, body),
        {
          ...repoContext,
          tokenKind: 'classic'
        },
        trans
      );
      expectNoScopeAdvice(problem);
      expect(problem?.message).toContain(body.message);
      expect(problem?.nextStep).toMatch(/fine-grained personal access token/);
      expect(problem?.link?.href).toBe('https://github.com/settings/personal-access-tokens');
    });

    it('the JSON body may also arrive as a string', () => {
      const problem = problemFromOutcome(response(403, {}, JSON.stringify(CLASSIC_FORBIDDEN)), userContext, trans);
      expectNoScopeAdvice(problem);
      expect(problem?.nextStep).toMatch(/fine-grained/);
    });

    it('token lifetime policy: use a shorter expiration', () => {
      const problem = problemFromOutcome(
        response(403, policyHeaders, LIFETIME),
        {
          ...repoContext,
          tokenKind: 'fine-grained'
        },
        trans
      );
      expectNoScopeAdvice(problem);
      expect(problem?.message).toContain("the token's lifetime is greater than 90 days");
      expect(problem?.nextStep).toMatch(/shorter expiration/);
      expect(problem?.nextStep).not.toMatch(/approv/);
      expect(problem?.link?.href).toBe('https://github.com/settings/personal-access-tokens');
    });

    it('token lifetime policy on GitHub Enterprise links that host', () => {
      const problem = problemFromOutcome(
        response(403, {}, LIFETIME),
        {
          ...userContext,
          apiBaseUrl: 'https://github.example.com/api/v3',
          webBaseUrl: 'https://github.example.com',
          tokenKind: 'fine-grained'
        },
        trans
      );
      expect(problem?.link?.href).toBe('https://github.example.com/settings/personal-access-tokens');
    });

    it("pending approval: wait for an owner's approval", () => {
      const problem = problemFromOutcome(
        response(403, policyHeaders, PENDING),
        {
          ...repoContext,
          tokenKind: 'fine-grained'
        },
        trans
      );
      expectNoScopeAdvice(problem);
      expect(problem?.nextStep).toMatch(/approval/);
      expect(problem?.nextStep).toMatch(/owner/);
      expect(problem?.nextStep).not.toMatch(/shorter expiration/);
    });

    it('a short "pending" body is enough', () => {
      const problem = problemFromOutcome(
        response(403, {}, { message: 'Token access request pending.' }),
        repoContext,
        trans
      );
      expectNoScopeAdvice(problem);
      expect(problem?.nextStep).toMatch(/approval/);
    });

    it('rate limits and SSO still take precedence', () => {
      expect(problemFromOutcome(response(403, rateHeaders(0), CLASSIC_FORBIDDEN), userContext, trans)?.code).toBe(
        'rate-limited'
      );
      expect(
        problemFromOutcome(response(403, { 'x-github-sso': `required; url=${SSO_URL}` }, PENDING), repoContext, trans)
          ?.code
      ).toBe('sso-required');
    });

    it('an ordinary permission 403 still advises scopes or permissions', () => {
      for (const message of [
        'Resource not accessible by personal access token',
        'Resource not accessible by integration',
        'Must have admin rights to Repository.'
      ]) {
        const problem = problemFromOutcome(response(403, {}, { message }), repoContext, trans);
        expect(problem?.code).toBe('forbidden');
        expect(problem?.nextStep).toMatch(/scopes or permissions it needs/);
      }
    });

    it('the policy is recognized on 403 only', () => {
      const problem = problemFromOutcome(response(422, {}, CLASSIC_FORBIDDEN), userContext, trans);
      expect(problem?.code).toBe('unexpected');
    });
  });

  it('403 with an HTML body is still forbidden', () => {
    const problem = problemFromOutcome(response(403, {}, '<html>Forbidden</html>'), userContext, trans);
    expect(problem?.code).toBe('forbidden');
    expect(problem?.message).toContain('403');
    expect(problem?.message).not.toContain('<html>');
  });

  it('404 on a repository is repo-not-found', () => {
    const problem = problemFromOutcome(response(404, rateHeaders(), NOT_FOUND), repoContext, trans);
    expect(problem?.code).toBe('repo-not-found');
    expect(problem?.message).toContain('octo-org/private-repo');
    expect(problem?.message).toContain('not found, or this token is not granted access to it');
  });

  it('404 on a repository explains repository access for fine-grained tokens', () => {
    const problem = problemFromOutcome(
      response(404, {}, NOT_FOUND),
      {
        ...repoContext,
        tokenKind: 'fine-grained'
      },
      trans
    );
    expect(problem?.message).toMatch(/Repository access/);
    expect(problem?.nextStep).toMatch(/Repository access/);
  });

  it('404 on the user is unexpected and points at the API base URL', () => {
    const problem = problemFromOutcome(response(404, {}, NOT_FOUND), userContext, trans);
    expect(problem?.code).toBe('unexpected');
    expect(problem?.nextStep).toMatch(/API base URL/);
  });

  it.each([500, 502, 503])('%i is server-error', status => {
    const problem = problemFromOutcome(response(status, {}, 'Bad gateway'), userContext, trans);
    expect(problem?.code).toBe('server-error');
    expect(problem?.message).toContain(String(status));
    expect(problem?.link?.href).toBe('https://www.githubstatus.com/');
  });

  it('server errors on GitHub Enterprise do not link githubstatus', () => {
    const problem = problemFromOutcome(
      response(500, {}, null),
      {
        ...userContext,
        apiBaseUrl: 'https://github.example.com/api/v3'
      },
      trans
    );
    expect(problem?.link).toBeUndefined();
  });

  it('network timeout and unreachable', () => {
    expect(problemFromOutcome({ kind: 'network', problem: 'timeout' }, userContext, trans)?.code).toBe('timeout');
    const problem = problemFromOutcome(
      { kind: 'network', problem: 'unreachable', detail: 'Failed to fetch' },
      { ...userContext, apiBaseUrl: 'https://github.example.com/api/v3' },
      trans
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
        { ...userContext, apiBaseUrl: 'https://github.example.com/api/v3' },
        trans
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
    const problem = problemFromOutcome(response(422, {}, { message: 'Validation Failed' }), userContext, trans);
    expect(problem?.code).toBe('unexpected');
    expect(problem?.message).toContain('Validation Failed');
  });
});

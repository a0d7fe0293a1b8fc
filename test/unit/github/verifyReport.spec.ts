import { buildVerifyReport, IVerifyInput } from '../../../src/github/verifyReport';
import type { ApiOutcome } from '../../../src/github/apiOutcome';
import { trans } from '../support/trans';
import { BAD_CREDENTIALS, NOT_FOUND, NOW, rateHeaders, response, SSO_URL, USER_BODY } from './responseFixtures';

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
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-write',
        user: classicUser('repo, user')
      },
      trans
    );
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
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-write',
        user: classicUser('public_repo')
      },
      trans
    );
    expect(report.ok).toBe(false);
    expect(report.missingScopes).toEqual(['repo']);
    expect(report.notes.join(' ')).toMatch(/only to public repositories/);
  });

  it('classic token with no scopes, read-write-public: public_repo missing', () => {
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-write-public',
        user: classicUser('')
      },
      trans
    );
    expect(report.scopes).toEqual([]);
    expect(report.missingScopes).toEqual(['public_repo']);
    expect(report.ok).toBe(false);
    expect(report.notes.join(' ')).toMatch(/lacks the scope public_repo/);
  });

  it('read-only with a repo token: excess write and a recommendation', () => {
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-only',
        user: classicUser('repo')
      },
      trans
    );
    expect(report.ok).toBe(true);
    expect(report.excessWrite).toBe(true);
    expect(report.notes.join(' ')).toMatch(/fine-grained token with read-only/);
  });

  it('fine-grained: scopes unknown, explained in the notes', () => {
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'fine-grained',
        access: 'read-write',
        user: fineUser
      },
      trans
    );
    expect(report).toMatchObject({ ok: true, scopes: null, missingScopes: [], excessWrite: false });
    expect(report.notes[0]).toBe(
      'GitHub does not report the permissions of fine-grained tokens; verified: the token is valid and belongs to octocat.'
    );
  });

  it('fine-grained with a reachable repository the account can push to', () => {
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'fine-grained',
        access: 'read-write',
        user: fineUser,
        repo: { fullName: 'octo-org/private-repo', outcome: repoOk(true) }
      },
      trans
    );
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
    const input: IVerifyInput = {
      ...base,
      tokenKind: 'classic',
      access: 'read-write',
      user: classicUser('repo'),
      repo: { fullName: 'octo-org/private-repo', outcome: repoOk(false) }
    };
    const report = buildVerifyReport(input, trans);
    expect(report.ok).toBe(false);
    expect(report.repo?.canPush).toBe(false);
    expect(report.repo?.problem?.code).toBe('forbidden');
    const readOnly = buildVerifyReport({ ...input, access: 'read-only', user: classicUser('') }, trans);
    expect(readOnly.ok).toBe(true);
    expect(readOnly.repo?.problem).toBeUndefined();
  });

  it('repository not found', () => {
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'fine-grained',
        access: 'read-only',
        user: fineUser,
        repo: { fullName: 'octo-org/private-repo', outcome: response(404, {}, NOT_FOUND) }
      },
      trans
    );
    expect(report.ok).toBe(false);
    expect(report.repo).toMatchObject({ reachable: false, problem: { code: 'repo-not-found' } });
    expect(report.notes.join(' ')).toContain('octo-org/private-repo');
  });

  it('repository behind SSO', () => {
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-write',
        user: classicUser('repo'),
        repo: {
          fullName: 'octo-org/private-repo',
          outcome: response(403, { 'x-github-sso': `required; url=${SSO_URL}` }, {})
        }
      },
      trans
    );
    expect(report.ok).toBe(false);
    expect(report.repo?.problem).toMatchObject({ code: 'sso-required', link: { href: SSO_URL } });
  });

  it('bad credentials', () => {
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-write',
        user: response(401, {}, BAD_CREDENTIALS)
      },
      trans
    );
    expect(report.ok).toBe(false);
    expect(report.problem?.code).toBe('bad-credentials');
    expect(report.account).toBeUndefined();
    expect(report.scopes).toBeNull();
  });

  it('network failure', () => {
    const report = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-write',
        user: { kind: 'network', problem: 'unreachable' }
      },
      trans
    );
    expect(report.ok).toBe(false);
    expect(report.problem?.code).toBe('unreachable');
    expect(report.rateLimit).toBeUndefined();
  });

  it('a 200 that is not a GitHub user is malformed', () => {
    for (const data of ['<html>captive portal</html>', null, [], { id: 1 }]) {
      const report = buildVerifyReport(
        {
          ...base,
          tokenKind: 'classic',
          access: 'read-only',
          user: response(200, {}, data)
        },
        trans
      );
      expect(report.ok).toBe(false);
      expect(report.problem?.code).toBe('malformed');
    }
  });

  it('reads the expiry only when the header is present', () => {
    const withExpiry = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-write',
        user: classicUser('repo', {
          'github-authentication-token-expiration': '2026-12-24 10:00:00 UTC'
        })
      },
      trans
    );
    expect(withExpiry.expiresAt).toEqual(new Date('2026-12-24T10:00:00Z'));
    const unreadable = buildVerifyReport(
      {
        ...base,
        tokenKind: 'classic',
        access: 'read-write',
        user: classicUser('repo', { 'github-authentication-token-expiration': 'garbage' })
      },
      trans
    );
    expect(unreadable.expiresAt).toBeUndefined();
    expect('expiresAt' in unreadable).toBe(false);
  });

  it('ignores unsafe account URLs', () => {
    const report = buildVerifyReport(
      {
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
      },
      trans
    );
    expect(report.account).toEqual({ login: 'octocat' });
  });
});

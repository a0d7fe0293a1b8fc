import {
  describeScope,
  expandScopes,
  grantsWrite,
  missingScopes,
  parseScopesHeader,
  requiredScopes,
  SCOPE_CHILDREN
} from '../../../src/github/scopes';
import { trans } from '../support/trans';

describe('parseScopesHeader', () => {
  it('returns null when the header is absent', () => {
    expect(parseScopesHeader(null)).toBeNull();
    expect(parseScopesHeader(undefined)).toBeNull();
  });

  it('returns [] for an empty header', () => {
    expect(parseScopesHeader('')).toEqual([]);
    expect(parseScopesHeader('  ')).toEqual([]);
  });

  it('splits, trims and de-duplicates', () => {
    expect(parseScopesHeader('repo, user')).toEqual(['repo', 'user']);
    expect(parseScopesHeader('admin:org,  read:packages ,repo,repo')).toEqual(['admin:org', 'read:packages', 'repo']);
  });
});

describe('scope hierarchy', () => {
  it('repo covers its children', () => {
    const all = expandScopes(['repo']);
    for (const child of ['public_repo', 'repo:status', 'repo_deployment', 'repo:invite', 'security_events']) {
      expect(all.has(child)).toBe(true);
    }
    expect(all.has('workflow')).toBe(false);
    expect(all.has('read:org')).toBe(false);
  });

  it.each([
    ['admin:org', 'write:org', 'read:org'],
    ['admin:public_key', 'write:public_key', 'read:public_key'],
    ['admin:repo_hook', 'write:repo_hook', 'read:repo_hook'],
    ['admin:gpg_key', 'write:gpg_key', 'read:gpg_key'],
    ['admin:ssh_signing_key', 'write:ssh_signing_key', 'read:ssh_signing_key']
  ])('%s > %s > %s transitively, never upwards', (admin, write, read) => {
    expect([...expandScopes([admin])].sort()).toEqual([admin, read, write].sort());
    expect([...expandScopes([write])].sort()).toEqual([read, write].sort());
    expect([...expandScopes([read])]).toEqual([read]);
  });

  it('user, project and packages', () => {
    expect(expandScopes(['user'])).toEqual(new Set(['user', 'read:user', 'user:email', 'user:follow']));
    expect(expandScopes(['project'])).toEqual(new Set(['project', 'read:project']));
    expect(expandScopes(['write:packages'])).toEqual(new Set(['write:packages', 'read:packages']));
    expect(expandScopes(['workflow'])).toEqual(new Set(['workflow']));
  });

  it('children never cover their parents', () => {
    for (const [parent, children] of Object.entries(SCOPE_CHILDREN)) {
      for (const child of children) {
        expect(expandScopes([child]).has(parent)).toBe(false);
        expect(missingScopes([child], [parent])).toEqual([parent]);
      }
    }
  });

  it('has no cycles', () => {
    for (const parent of Object.keys(SCOPE_CHILDREN)) {
      for (const child of expandScopes(SCOPE_CHILDREN[parent])) {
        expect(child).not.toBe(parent);
      }
    }
  });

  it('keeps unknown scopes', () => {
    expect(expandScopes(['future:scope'])).toEqual(new Set(['future:scope']));
  });
});

describe('requiredScopes / missingScopes / grantsWrite', () => {
  it('maps access levels to scopes', () => {
    expect(requiredScopes('read-write')).toEqual(['repo']);
    expect(requiredScopes('read-write-public')).toEqual(['public_repo']);
    expect(requiredScopes('read-only')).toEqual([]);
  });

  it('finds missing scopes through the hierarchy', () => {
    expect(missingScopes(['repo', 'user'], ['repo'])).toEqual([]);
    expect(missingScopes(['repo'], ['public_repo'])).toEqual([]);
    expect(missingScopes(['public_repo'], ['repo'])).toEqual(['repo']);
    expect(missingScopes([], ['repo', 'workflow'])).toEqual(['repo', 'workflow']);
    expect(missingScopes(['admin:org'], ['read:org'])).toEqual([]);
  });

  it('reports nothing missing when scopes are unknown', () => {
    expect(missingScopes(null, ['repo'])).toEqual([]);
  });

  it('tells whether scopes allow writing', () => {
    expect(grantsWrite(['repo'])).toBe(true);
    expect(grantsWrite(['public_repo'])).toBe(true);
    expect(grantsWrite(['read:org', 'gist', 'repo:status'])).toBe(false);
    expect(grantsWrite([])).toBe(false);
    expect(grantsWrite(null)).toBe(false);
  });
});

describe('describeScope', () => {
  it('describes the scopes the UI shows', () => {
    for (const scope of ['repo', 'public_repo', 'workflow', 'read:org', 'gist', 'user']) {
      const text = describeScope(scope, trans);
      expect(text.length).toBeGreaterThan(5);
      expect(text).not.toContain('\n');
      expect(text).not.toContain('GitHub scope');
    }
    expect(describeScope('repo', trans)).toMatch(/private/);
  });

  it('has a fallback', () => {
    expect(describeScope('x:y', trans)).toBe('GitHub scope "x:y"');
  });
});

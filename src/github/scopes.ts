/**
 * OAuth scopes of classic GitHub tokens: parsing the `X-OAuth-Scopes` header,
 * the parent/child hierarchy GitHub applies (a parent scope grants all of its
 * children, and GitHub reports only the parent), and what each access level
 * of this extension needs.
 */

import type { Trans } from '../i18n';

/**
 * The access a user asks for:
 * - `read-write`: read and push to any repository the account can access;
 * - `read-write-public`: read and push to public repositories only;
 * - `read-only`: read (clone, fetch) only.
 */
export type AccessLevel = 'read-write' | 'read-write-public' | 'read-only';

/** Each scope's direct children (scopes it implies). */
export const SCOPE_CHILDREN: Readonly<Record<string, readonly string[]>> = {
  repo: ['public_repo', 'repo:status', 'repo_deployment', 'repo:invite', 'security_events'],
  'admin:org': ['write:org'],
  'write:org': ['read:org'],
  'admin:public_key': ['write:public_key'],
  'write:public_key': ['read:public_key'],
  'admin:repo_hook': ['write:repo_hook'],
  'write:repo_hook': ['read:repo_hook'],
  'admin:gpg_key': ['write:gpg_key'],
  'write:gpg_key': ['read:gpg_key'],
  'admin:ssh_signing_key': ['write:ssh_signing_key'],
  'write:ssh_signing_key': ['read:ssh_signing_key'],
  user: ['read:user', 'user:email', 'user:follow'],
  project: ['read:project'],
  'write:packages': ['read:packages'],
  'write:discussion': ['read:discussion']
};

/**
 * Parse the value of the `X-OAuth-Scopes` response header.
 *
 * @returns `null` when the header is absent (fine-grained tokens, GitHub App
 *   tokens, or a response that did not expose it), `[]` for an empty header
 *   (a classic token without scopes), otherwise the trimmed, de-duplicated
 *   scope names in header order.
 */
export function parseScopesHeader(value: string | null | undefined): string[] | null {
  if (value === null || value === undefined) {
    return null;
  }
  const scopes: string[] = [];
  for (const part of value.split(',')) {
    const scope = part.trim();
    if (scope && !scopes.includes(scope)) {
      scopes.push(scope);
    }
  }
  return scopes;
}

/**
 * Every scope granted by `granted`, including all scopes implied by them
 * (transitively, e.g. `admin:org` grants `write:org` and `read:org`).
 */
export function expandScopes(granted: Iterable<string>): Set<string> {
  const result = new Set<string>();
  const pending = [...granted];
  while (pending.length) {
    const scope = pending.pop() as string;
    if (result.has(scope)) {
      continue;
    }
    result.add(scope);
    pending.push(...(SCOPE_CHILDREN[scope] ?? []));
  }
  return result;
}

/** The classic-token scopes an access level needs. */
export function requiredScopes(access: AccessLevel): string[] {
  switch (access) {
    case 'read-write':
      return ['repo'];
    case 'read-write-public':
      return ['public_repo'];
    default:
      return [];
  }
}

/**
 * The scopes of `required` that `granted` does not grant (directly or through
 * a parent). `granted === null` means the scopes are unknown (fine-grained
 * token): nothing can be reported missing, so `[]` is returned.
 */
export function missingScopes(granted: readonly string[] | null, required: readonly string[]): string[] {
  if (granted === null) {
    return [];
  }
  const all = expandScopes(granted);
  return required.filter(scope => !all.has(scope));
}

/**
 * Whether the scopes allow pushing to repositories (`repo` or `public_repo`).
 * Unknown scopes (`null`) are reported as `false`.
 */
export function grantsWrite(granted: readonly string[] | null): boolean {
  if (granted === null) {
    return false;
  }
  const all = expandScopes(granted);
  return all.has('repo') || all.has('public_repo');
}

/** A one-line description of a scope, for the scopes the UI shows. */
export function describeScope(scope: string, trans: Trans): string {
  switch (scope) {
    case 'repo':
      return trans.__('Full control of all repositories you can access, public and private (read and push)');
    case 'public_repo':
      return trans.__('Read and push to public repositories only');
    case 'repo:status':
      return trans.__('Read and write commit statuses');
    case 'repo_deployment':
      return trans.__('Read and write deployment statuses');
    case 'repo:invite':
      return trans.__('Accept or decline repository invitations');
    case 'security_events':
      return trans.__('Read and write code scanning and security events');
    case 'workflow':
      return trans.__('Add and change GitHub Actions workflow files');
    case 'read:org':
      return trans.__('Read organization and team membership');
    case 'write:org':
      return trans.__('Read and write organization and team membership');
    case 'admin:org':
      return trans.__('Fully manage organizations, their teams and members');
    case 'gist':
      return trans.__('Create and edit gists');
    case 'user':
      return trans.__('Read and write your profile data');
    case 'read:user':
      return trans.__('Read your profile data');
    case 'user:email':
      return trans.__('Read your email addresses');
    case 'user:follow':
      return trans.__('Follow and unfollow users');
    case 'read:packages':
      return trans.__('Download packages from GitHub Packages');
    case 'write:packages':
      return trans.__('Upload and download packages in GitHub Packages');
    case 'delete:packages':
      return trans.__('Delete packages from GitHub Packages');
    case 'project':
      return trans.__('Read and write projects');
    case 'read:project':
      return trans.__('Read projects');
    case 'delete_repo':
      return trans.__('Delete repositories');
    case 'notifications':
      return trans.__('Read and manage notifications');
    case 'codespace':
      return trans.__('Create and manage codespaces');
    default:
      return trans.__('GitHub scope "%1"', scope);
  }
}

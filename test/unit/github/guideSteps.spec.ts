import { guideItems, IGuideItem, IGuideOptions } from '../../../src/github/guideSteps';
import type { Trans } from '../../../src/i18n';
import { trans } from '../support/trans';

function options(overrides: Partial<IGuideOptions> = {}): IGuideOptions {
  return {
    tokenType: 'classic',
    access: 'read-write',
    tokenName: 'JupyterLab',
    expirationDays: 30,
    webHost: 'github.com',
    ...overrides
  };
}

function texts(items: IGuideItem[]): string[] {
  return items.map(item => item.text);
}

function indexOfText(items: IGuideItem[], pattern: RegExp): number {
  return items.findIndex(item => pattern.test(item.text));
}

function item(items: IGuideItem[], id: string): IGuideItem {
  const found = items.find(i => i.id === id);
  if (!found) {
    throw new Error(`no item ${id} in ${items.map(i => i.id).join(',')}`);
  }
  return found;
}

const ALL_OPTIONS: IGuideOptions[] = [
  options({ tokenType: 'classic', access: 'read-write' }),
  options({ tokenType: 'classic', access: 'read-write-public' }),
  options({ tokenType: 'classic', access: 'read-only' }),
  options({ tokenType: 'fine-grained', access: 'read-write' }),
  options({ tokenType: 'fine-grained', access: 'read-write-public' }),
  options({ tokenType: 'fine-grained', access: 'read-only' })
];

function label(o: IGuideOptions): string {
  return `${o.tokenType} ${o.access}`;
}

describe('guideItems: classic tokens', () => {
  it('read-write walks Developer settings -> Tokens (classic) -> Generate new token (classic) in order', () => {
    const items = guideItems(options(), trans);
    const developer = indexOfText(items, /Developer settings/);
    const classic = indexOfText(items, /Tokens \(classic\)/);
    const generate = indexOfText(items, /Generate new token \(classic\)/);
    expect(developer).toBeGreaterThanOrEqual(0);
    expect(classic).toBeGreaterThan(developer);
    expect(generate).toBeGreaterThan(classic);
    expect(items[classic].text).toContain('Personal access tokens');
  });

  it('read-write has a scope item naming repo (and nothing else)', () => {
    const items = guideItems(options(), trans);
    const scopes = item(items, 'scopes');
    expect(scopes.text).toMatch(/\brepo\b/);
    expect(scopes.text).not.toContain('public_repo');
    expect(scopes.text).toMatch(/nothing else/);
    expect(scopes.hint).toMatch(/private/);
    // Scopes are chosen after the token page is opened, before generating it.
    const generatePage = indexOfText(items, /Generate new token \(classic\)/);
    const scopeIndex = items.indexOf(scopes);
    const create = items.findIndex(i => i.id === 'create');
    expect(scopeIndex).toBeGreaterThan(generatePage);
    expect(create).toBeGreaterThan(scopeIndex);
  });

  it('read-write-public names public_repo', () => {
    const items = guideItems(options({ access: 'read-write-public' }), trans);
    const scopes = item(items, 'scopes');
    expect(scopes.text).toContain('public_repo');
    // `\brepo\b` does not match inside public_repo (`_` is a word character).
    expect(scopes.text).not.toMatch(/\brepo\b/);
    expect(scopes.hint).toMatch(/public repositories only/);
  });

  it('read-only says to leave scopes unticked and points to fine-grained for private repositories', () => {
    const items = guideItems(options({ access: 'read-only' }), trans);
    const scopes = item(items, 'scopes');
    expect(scopes.text).toMatch(/Leave every scope unticked/);
    expect(scopes.text).not.toMatch(/\btick\b/);
    expect(scopes.hint).toMatch(/private/);
    expect(scopes.hint).toMatch(/fine-grained/);
    expect(`${scopes.text} ${scopes.hint}`).not.toContain('public_repo');
  });

  it('names the token and the expiration from the options', () => {
    const items = guideItems(options({ tokenName: 'My notebooks', expirationDays: 90 }), trans);
    const name = item(items, 'name');
    expect(name.text).toContain('"My notebooks"');
    expect(name.text).toContain('90 days');
    expect(name.text).toContain('Note');
  });

  it('has no fine-grained steps', () => {
    const all = texts(guideItems(options(), trans)).join('\n');
    expect(all).not.toContain('Fine-grained tokens');
    expect(all).not.toContain('Repository permissions');
  });
});

describe('guideItems: fine-grained tokens', () => {
  it('read-only sets Contents to Read-only', () => {
    const items = guideItems(options({ tokenType: 'fine-grained', access: 'read-only' }), trans);
    const permissions = item(items, 'permissions');
    expect(permissions.text).toMatch(/Contents to Read-only/);
    expect(permissions.text).not.toMatch(/Read and write/);
  });

  it.each(['read-write', 'read-write-public'] as const)('%s sets Contents to Read and write', access => {
    const items = guideItems(options({ tokenType: 'fine-grained', access }), trans);
    const permissions = item(items, 'permissions');
    expect(permissions.text).toMatch(/Contents to Read and write/);
    expect(permissions.text).not.toMatch(/Read-only/);
  });

  it('walks Developer settings -> Fine-grained tokens -> Generate new token and picks repositories', () => {
    const items = guideItems(options({ tokenType: 'fine-grained' }), trans);
    const developer = indexOfText(items, /Developer settings/);
    const fine = indexOfText(items, /Fine-grained tokens/);
    const generate = indexOfText(items, /Generate new token/);
    const repositories = items.findIndex(i => i.id === 'repositories');
    const permissions = items.findIndex(i => i.id === 'permissions');
    expect(developer).toBeGreaterThanOrEqual(0);
    expect(fine).toBeGreaterThan(developer);
    expect(generate).toBeGreaterThan(fine);
    expect(repositories).toBeGreaterThan(generate);
    expect(permissions).toBeGreaterThan(repositories);
    expect(items[repositories].text).toMatch(/Only select repositories/);
  });

  it('has no classic scope steps', () => {
    const items = guideItems(options({ tokenType: 'fine-grained' }), trans);
    expect(items.some(i => i.id === 'scopes')).toBe(false);
    expect(texts(items).join('\n')).not.toContain('(classic)');
  });

  it('names the token and the expiration from the options', () => {
    const items = guideItems(options({ tokenType: 'fine-grained', tokenName: 'Lab token', expirationDays: 7 }), trans);
    const name = item(items, 'name');
    expect(name.text).toContain('"Lab token"');
    expect(name.text).toContain('7 days');
  });
});

describe('guideItems: every list', () => {
  it.each(ALL_OPTIONS.map(o => [label(o), o] as const))('%s ends with "copy now, shown once"', (_l, o) => {
    const items = guideItems(o, trans);
    const last = items[items.length - 1];
    expect(last.id).toBe('copy');
    expect(last.text).toMatch(/Copy the token now/);
    expect(last.text).toMatch(/only once/);
    expect(last.hint).toMatch(/never into a notebook cell/);
  });

  it.each(ALL_OPTIONS.map(o => [label(o), o] as const))('%s clicks Generate token just before copying', (_l, o) => {
    const items = guideItems(o, trans);
    const create = items[items.length - 2];
    expect(create.id).toBe('create');
    expect(create.text).toMatch(/Click Generate token/);
  });

  it.each(ALL_OPTIONS.map(o => [label(o), o] as const))('%s has unique ids', (_l, o) => {
    const ids = guideItems(o, trans).map(i => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every(id => id.length > 0)).toBe(true);
  });

  it.each(ALL_OPTIONS.map(o => [label(o), o] as const))('%s names the web host in the first item', (_l, o) => {
    const items = guideItems({ ...o, webHost: 'ghe.example.com' }, trans);
    expect(items[0].text).toContain('ghe.example.com');
    expect(items[0].text).toMatch(/Sign in/);
    expect(texts(items.slice(1)).join('\n')).not.toContain('ghe.example.com');
  });

  it('goes through the profile Settings before Developer settings', () => {
    for (const o of ALL_OPTIONS) {
      const items = guideItems(o, trans);
      expect(indexOfText(items, /Settings\.$/)).toBeLessThan(indexOfText(items, /Developer settings/));
    }
  });

  it('translates every text and hint through trans', () => {
    const seen: string[] = [];
    const recording: Trans = {
      __: (msgid: string, ...args: any[]) => {
        seen.push(msgid);
        return `«${msgid}»${args.length ? `(${args.join('|')})` : ''}`;
      },
      _n: (s: string) => s
    };
    for (const o of ALL_OPTIONS) {
      for (const i of guideItems(o, recording)) {
        expect(i.text.startsWith('«')).toBe(true);
        if (i.hint !== undefined) {
          expect(i.hint.startsWith('«')).toBe(true);
        }
      }
    }
    expect(seen).toContain('Sign in to %1 in your browser.');
  });
});

describe('guideItems: workflow files', () => {
  it('tells read & write users that pushing workflow files needs the workflow scope', () => {
    for (const access of ['read-write', 'read-write-public'] as const) {
      const items = guideItems(
        {
          tokenType: 'classic',
          access,
          tokenName: 'JupyterLab',
          expirationDays: 30,
          webHost: 'github.com'
        },
        trans
      );
      const scopes = items.find(i => i.id === 'scopes');
      expect(scopes?.hint).toMatch(/workflow/);
    }
    const readOnly = guideItems(
      {
        tokenType: 'classic',
        access: 'read-only',
        tokenName: 'JupyterLab',
        expirationDays: 30,
        webHost: 'github.com'
      },
      trans
    );
    expect(readOnly.find(i => i.id === 'scopes')?.hint).not.toMatch(/tick workflow/);
  });
});

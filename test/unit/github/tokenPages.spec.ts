import { classicTokenUrl, fineGrainedTokenUrl, newTokenUrl, tokenSettingsUrl } from '../../../src/github/tokenPages';

describe('classicTokenUrl', () => {
  it('builds the pre-filled page', () => {
    expect(classicTokenUrl('https://github.com', { scopes: ['repo'], description: 'Jupyter' })).toBe(
      'https://github.com/settings/tokens/new?scopes=repo&description=Jupyter'
    );
  });

  it('joins scopes with commas and tolerates a trailing slash', () => {
    expect(
      classicTokenUrl('https://github.com/', {
        scopes: ['repo', 'read:org', 'workflow'],
        description: 'x'
      })
    ).toBe('https://github.com/settings/tokens/new?scopes=repo,read%3Aorg,workflow&description=x');
  });

  it('leaves scopes out when there are none', () => {
    expect(classicTokenUrl('https://github.com', { scopes: [], description: 'x' })).toBe(
      'https://github.com/settings/tokens/new?description=x'
    );
  });

  it('encodes spaces, & and unicode', () => {
    expect(
      classicTokenUrl('https://github.com', {
        scopes: ['repo'],
        description: 'Jupyter & me #1 — café=ok?'
      })
    ).toBe(
      'https://github.com/settings/tokens/new?scopes=repo&description=Jupyter%20%26%20me%20%231%20%E2%80%94%20caf%C3%A9%3Dok%3F'
    );
  });

  it('works for GitHub Enterprise', () => {
    expect(classicTokenUrl('https://github.example.com', { scopes: ['repo'], description: 'J' })).toBe(
      'https://github.example.com/settings/tokens/new?scopes=repo&description=J'
    );
  });
});

describe('fineGrainedTokenUrl', () => {
  it('builds the pre-filled page', () => {
    expect(
      fineGrainedTokenUrl('https://github.com', {
        name: 'Jupyter',
        description: 'From JupyterLab',
        expiresInDays: 30,
        contents: 'read',
        targetName: 'octo-org'
      })
    ).toBe(
      'https://github.com/settings/personal-access-tokens/new?name=Jupyter&description=From%20JupyterLab&target_name=octo-org&expires_in=30&contents=read'
    );
  });

  it('omits an empty target and supports no expiry', () => {
    expect(
      fineGrainedTokenUrl('https://github.example.com/', {
        name: 'J',
        description: '',
        expiresInDays: 'none',
        contents: 'write'
      })
    ).toBe(
      'https://github.example.com/settings/personal-access-tokens/new?name=J&description=&expires_in=none&contents=write'
    );
  });

  it('truncates the name to 40 characters (code points)', () => {
    const url = fineGrainedTokenUrl('https://github.com', {
      name: 'a'.repeat(39) + '😀' + 'tail',
      description: 'd',
      expiresInDays: 7,
      contents: 'read'
    });
    const name = new URL(url).searchParams.get('name');
    expect(Array.from(name ?? '')).toHaveLength(40);
    expect(name).toBe('a'.repeat(39) + '😀');
  });

  it.each([
    [0, '1'],
    [-5, '1'],
    [1, '1'],
    [90.7, '90'],
    [366, '366'],
    [400, '366'],
    [Infinity, '366']
  ])('clamps %p days to %s', (days, expected) => {
    const url = fineGrainedTokenUrl('https://github.com', {
      name: 'n',
      description: 'd',
      expiresInDays: days,
      contents: 'read'
    });
    expect(new URL(url).searchParams.get('expires_in')).toBe(expected);
  });

  it('rejects NaN days', () => {
    expect(() =>
      fineGrainedTokenUrl('https://github.com', {
        name: 'n',
        description: 'd',
        expiresInDays: NaN,
        contents: 'read'
      })
    ).toThrow(RangeError);
  });

  it('encodes &, = and unicode in every field', () => {
    const url = fineGrainedTokenUrl('https://github.com', {
      name: 'a&b=c',
      description: 'Ünïcødé & spaces',
      expiresInDays: 30,
      contents: 'read',
      targetName: 'org&evil=1'
    });
    expect(url).toBe(
      'https://github.com/settings/personal-access-tokens/new?name=a%26b%3Dc&description=%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%26%20spaces&target_name=org%26evil%3D1&expires_in=30&contents=read'
    );
    const params = new URL(url).searchParams;
    expect(params.get('target_name')).toBe('org&evil=1');
    expect(params.get('evil')).toBeNull();
  });
});

describe('newTokenUrl', () => {
  const base = {
    name: 'JupyterLab',
    description: 'JupyterLab token',
    expiresInDays: 30 as const
  };

  it('classic read-write asks for repo', () => {
    expect(newTokenUrl('https://github.com', { ...base, tokenType: 'classic', access: 'read-write' })).toBe(
      'https://github.com/settings/tokens/new?scopes=repo&description=JupyterLab%20token'
    );
  });

  it('classic read-write-public asks for public_repo', () => {
    expect(
      newTokenUrl('https://github.com', {
        ...base,
        tokenType: 'classic',
        access: 'read-write-public'
      })
    ).toBe('https://github.com/settings/tokens/new?scopes=public_repo&description=JupyterLab%20token');
  });

  it('classic read-only asks for no scope', () => {
    expect(newTokenUrl('https://github.com', { ...base, tokenType: 'classic', access: 'read-only' })).toBe(
      'https://github.com/settings/tokens/new?description=JupyterLab%20token'
    );
  });

  it('fine-grained maps access to contents', () => {
    expect(
      newTokenUrl('https://github.example.com', {
        ...base,
        tokenType: 'fine-grained',
        access: 'read-only',
        targetName: 'me'
      })
    ).toBe(
      'https://github.example.com/settings/personal-access-tokens/new?name=JupyterLab&description=JupyterLab%20token&target_name=me&expires_in=30&contents=read'
    );
    for (const access of ['read-write', 'read-write-public'] as const) {
      const url = newTokenUrl('https://github.com', { ...base, tokenType: 'fine-grained', access });
      expect(new URL(url).searchParams.get('contents')).toBe('write');
    }
  });
});

describe('tokenSettingsUrl and base URL validation', () => {
  it('links the settings pages', () => {
    expect(tokenSettingsUrl('https://github.com', 'classic')).toBe('https://github.com/settings/tokens');
    expect(tokenSettingsUrl('https://github.example.com/', 'fine-grained')).toBe(
      'https://github.example.com/settings/personal-access-tokens'
    );
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'ftp://github.com',
    'data:text/html,x',
    'github.com',
    '',
    'https://user:pass@github.com'
  ])('rejects %p', base => {
    expect(() => tokenSettingsUrl(base, 'classic')).toThrow();
    expect(() => classicTokenUrl(base, { scopes: ['repo'], description: 'x' })).toThrow();
  });

  it('accepts http for local test servers', () => {
    expect(tokenSettingsUrl('http://localhost:8080', 'classic')).toBe('http://localhost:8080/settings/tokens');
  });
});

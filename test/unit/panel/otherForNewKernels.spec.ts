/** The one "new kernels get another API's token" rule of the panel. */
import { otherForNewKernels } from '../../../src/panel/otherForNewKernels';
import { heldFor } from '../../../src/server/api';
import type { IHeldTokenStatus, IServerStatus } from '../../../src/server/api';

const API = 'https://api.github.com';
const GHE = 'https://ghe.example.com/api/v3';

function entry(apiBaseUrl: string, forNewKernels: boolean): IHeldTokenStatus {
  return {
    apiBaseUrl,
    masked: 'ghp_...abcd',
    kind: 'classic',
    login: null,
    expiresAt: null,
    scopes: null,
    setAt: '2026-01-01T00:00:00Z',
    variables: ['GITHUB_TOKEN'],
    gitHosts: [],
    forNewKernels,
    remembered: false,
    check: { status: 'unchecked', checkedAt: null, message: '' }
  };
}

function status(tokens: IHeldTokenStatus[]): IServerStatus {
  return {
    version: 2,
    tokens,
    allowedApiBaseUrls: [API, GHE],
    keychain: { enabled: false, available: false, backend: null, reason: '' },
    kernels: [],
    kernelClashes: [],
    terminals: []
  };
}

describe('otherForNewKernels', () => {
  it('is the entry new kernels get when it is held for another API base URL', () => {
    const theirs = entry(GHE, true);
    expect(otherForNewKernels(status([entry(API, false), theirs]), API)).toBe(theirs);
  });

  it("is null for the settings' own entry, however its URL is spelt", () => {
    for (const spelt of [API, `${API}/`, 'HTTPS://API.GITHUB.COM']) {
      const s = status([entry(spelt, true)]);
      expect(otherForNewKernels(s, API)).toBeNull();
      // The same rule as heldFor: never both "held for the settings" and "another host".
      expect(heldFor(s, API)).not.toBeNull();
    }
  });

  it('is null when no entry is for new kernels, or there is no status', () => {
    expect(otherForNewKernels(status([entry(GHE, false)]), API)).toBeNull();
    expect(otherForNewKernels(null, API)).toBeNull();
    expect(otherForNewKernels(undefined, API)).toBeNull();
  });

  it('counts every entry as another host when the settings URL is unusable (heldFor finds none)', () => {
    const s = status([entry(API, true)]);
    expect(heldFor(s, 'not a url')).toBeNull();
    expect(otherForNewKernels(s, 'not a url')).toBe(s.tokens[0]);
  });
});

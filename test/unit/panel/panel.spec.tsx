/**
 * The panel's views, rendered into jsdom with React against a fake of the
 * model members they read: the signed-in header, the shorter guided path
 * (access step shortcuts, "Use in this notebook") and the server section's
 * remember checkbox and route message.
 */
import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { Signal } from '@lumino/signaling';
import { PanelView } from '../../../src/panel/TokenPanel';
import { expiryText } from '../../../src/panel/SignedIn';
import type { GitHubTokenModel } from '../../../src/model/tokenModel';
import type { IHeldTokenStatus, IKeychainStatus, IServerStatus } from '../../../src/server/api';
import type { IKernelWriteResult } from '../../../src/kernel/environment';
import { DEFAULT_SETTINGS } from '../../../src/settings';
import { newTokenUrl } from '../../../src/github/tokenPages';
import { maskToken } from '../../../src/token/mask';
import { CLASSIC } from '../model/fixtures';
import { trans } from '../support/trans';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const DAY_MS = 86400000;

function heldToken(overrides: Partial<IHeldTokenStatus> = {}): IHeldTokenStatus {
  return {
    apiBaseUrl: DEFAULT_SETTINGS.apiBaseUrl,
    masked: maskToken(CLASSIC),
    kind: 'classic',
    login: 'octocat',
    expiresAt: new Date(Date.now() + 60 * DAY_MS).toISOString(),
    scopes: ['repo', 'workflow'],
    setAt: new Date().toISOString(),
    variables: ['GITHUB_TOKEN', 'GH_TOKEN'],
    gitHosts: ['https://github.com'],
    forNewKernels: false,
    remembered: false,
    check: { status: 'unchecked', checkedAt: null, message: '' },
    ...overrides
  };
}

const AVAILABLE: IKeychainStatus = { enabled: true, available: true, backend: 'SecretService Keyring', reason: '' };
const UNAVAILABLE: IKeychainStatus = {
  enabled: true,
  available: false,
  backend: null,
  reason: 'No secure keyring backend: install gnome-keyring and SecretStorage, then restart the server.'
};

function serverStatus(tokens: IHeldTokenStatus[], keychain: IKeychainStatus): IServerStatus {
  return {
    version: 2,
    tokens,
    allowedApiBaseUrls: [DEFAULT_SETTINGS.apiBaseUrl],
    keychain,
    kernels: [],
    kernelClashes: [],
    terminals: []
  };
}

type Fake = Record<string, any>;

/** The members of GitHubTokenModel the views read, with plain values and jest spies. */
function fakeModel(overrides: Fake = {}): Fake {
  const model: Fake = {
    focusRequested: new Signal<unknown, void>({}),
    takeFocusRequest: () => false,
    settings: DEFAULT_SETTINGS,
    step: 'access',
    goTo: jest.fn((step: string) => {
      model.step = step;
    }),
    choose: jest.fn(async () => undefined),
    isChecked: () => false,
    toggleChecklistItem: jest.fn(),
    held: null,
    hasToken: false,
    hasDraft: false,
    draft: '',
    masked: '',
    login: null,
    format: null,
    repository: '',
    repositoryProblem: '',
    apiUrlProblem: '',
    apiHost: 'api.github.com',
    verificationRoute: 'server',
    verifyState: { status: 'idle' },
    verify: jest.fn(async () => ({ status: 'idle' })),
    keychain: AVAILABLE,
    remember: false,
    setRemember: jest.fn(async () => ''),
    server: serverStatus([], AVAILABLE),
    serverError: '',
    usedForNewKernels: false,
    useForNewKernels: jest.fn(async () => ''),
    useState: { status: 'idle' },
    useInNotebook: jest.fn(async () => null),
    kernelWriteState: { status: 'idle' },
    writeToKernel: jest.fn(async () => null),
    fieldState: { status: 'idle' },
    fieldBusy: false,
    writeToNotebookField: jest.fn(async () => null),
    fillField: jest.fn(async () => null),
    kernelsHoldingToken: [],
    kernelsHoldingTokenLabels: [],
    kernelsToRestart: [],
    kernelsToRestartLabels: [],
    canRestartKernels: false,
    restartBusy: false,
    restartKernels: jest.fn(async () => []),
    clearKernels: jest.fn(async () => []),
    terminalsHoldingToken: [],
    canCloseTerminals: false,
    closeTerminals: jest.fn(async () => []),
    terminalError: '',
    forget: jest.fn(),
    ...overrides
  };
  return model;
}

/** A model holding a token on the server, as a new tab sees it (no draft). */
function signedInModel(held: IHeldTokenStatus, overrides: Fake = {}): Fake {
  return fakeModel({
    held,
    hasToken: true,
    masked: held.masked,
    login: held.login,
    server: serverStatus([held], AVAILABLE),
    ...overrides
  });
}

let container: HTMLDivElement;
let root: Root;

function render(model: Fake): HTMLDivElement {
  act(() => {
    root.render(<PanelView model={model as unknown as GitHubTokenModel} trans={trans} />);
  });
  return container;
}

function button(name: string): HTMLButtonElement {
  const found = [...container.querySelectorAll('button')].find(b => b.textContent?.trim() === name);
  if (!found) {
    throw new Error(`no button "${name}" in: ${container.textContent}`);
  }
  return found;
}

const testId = (id: string) => container.querySelector<HTMLElement>(`[data-testid="${id}"]`);

beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
  jest.restoreAllMocks();
});

describe('signed-in header', () => {
  it('shows the login, the masked token, its kind, expiry and a Forget button', () => {
    const held = heldToken({ remembered: true });
    const model = signedInModel(held, { step: 'use' });
    render(model);
    const header = testId('signed-in');
    expect(header).not.toBeNull();
    const text = header!.textContent ?? '';
    expect(text).toContain('Signed in as octocat');
    expect(text).toContain(held.masked);
    expect(text).toContain('Personal access token (classic)');
    expect(text).toContain(new Date(held.expiresAt!).toLocaleDateString());
    expect(text).toContain('Remembered on this computer');
    const forget = [...header!.querySelectorAll('button')].find(b => b.textContent === 'Forget');
    expect(forget).toBeDefined();
    act(() => forget!.click());
    expect(model.forget).toHaveBeenCalledTimes(1);
    // One Forget only: the footer's is for a draft the server does not hold.
    expect([...container.querySelectorAll('button')].filter(b => b.textContent === 'Forget')).toHaveLength(1);
  });

  it('never puts the token itself in the DOM, even with a draft in the model', () => {
    const held = heldToken();
    for (const step of ['access', 'create', 'verify', 'use']) {
      render(signedInModel(held, { step, draft: CLASSIC, hasDraft: true }));
      expect(container.innerHTML).not.toContain(CLASSIC);
      expect(container.innerHTML).not.toContain(CLASSIC.slice(4, 20));
    }
  });

  it('says "Token held" without a login and "no expiry" without an expiry', () => {
    render(signedInModel(heldToken({ login: null, expiresAt: null, kind: 'fine-grained', scopes: null })));
    const text = testId('signed-in')!.textContent ?? '';
    expect(text).toContain('Token held');
    expect(text).not.toContain('Signed in as');
    expect(text).toContain('no expiry');
    expect(text).toContain('Fine-grained personal access token');
  });

  it('warns when the token expires within the warning days', () => {
    const soon = new Date(Date.now() + 2 * DAY_MS).toISOString();
    render(signedInModel(heldToken({ expiresAt: soon })));
    expect(testId('signed-in-expiry')!.className).toContain('jp-GitHubToken-warning');
    render(signedInModel(heldToken()));
    expect(testId('signed-in-expiry')!.className).not.toContain('jp-GitHubToken-warning');
  });

  it('shows the server re-check problem with the next step, and nothing when valid', () => {
    const revoked = heldToken({ check: { status: 'revoked', checkedAt: '2026-01-01T00:00:00Z', message: '' } });
    const model = signedInModel(revoked, { step: 'use' });
    render(model);
    const check = testId('held-check');
    expect(check?.dataset.check).toBe('revoked');
    expect(check?.textContent).toContain('revoked');
    act(() => button('Create a new token').click());
    expect(model.goTo).toHaveBeenCalledWith('access');

    render(signedInModel(heldToken({ check: { status: 'valid', checkedAt: null, message: '' } })));
    expect(testId('held-check')).toBeNull();
  });

  it('is absent without a held token; without the extension one line says the token stays in this tab', () => {
    render(fakeModel({ verificationRoute: 'no-extension', server: null, keychain: null }));
    expect(testId('signed-in')).toBeNull();
    expect(testId('page-only')?.textContent).toContain('only in the memory of this browser tab');
    render(fakeModel());
    expect(testId('page-only')).toBeNull();
  });
});

describe('expiryText', () => {
  const now = Date.UTC(2026, 0, 1);
  it('counts the days left, warns under the threshold and says when it has expired', () => {
    expect(expiryText(null, 7, trans, now)).toEqual({ text: 'no expiry', warn: false });
    expect(expiryText(new Date(now + 30 * DAY_MS).toISOString(), 7, trans, now).warn).toBe(false);
    expect(expiryText(new Date(now + 30 * DAY_MS).toISOString(), 7, trans, now).text).toContain('in 30 days');
    expect(expiryText(new Date(now + 3 * DAY_MS).toISOString(), 7, trans, now).warn).toBe(true);
    const expired = expiryText(new Date(now - DAY_MS).toISOString(), 7, trans, now);
    expect(expired.warn).toBe(true);
    expect(expired.text).toContain('expired');
  });
});

describe('access step', () => {
  it('"Create token on GitHub" opens the pre-filled page without an opener and goes to verify', () => {
    const open = jest.spyOn(window, 'open').mockImplementation(() => null);
    const model = fakeModel();
    render(model);
    act(() => button('Create token on GitHub').click());
    const s = DEFAULT_SETTINGS;
    const expected = newTokenUrl(s.webBaseUrl, {
      tokenType: s.tokenType,
      access: s.accessLevel,
      name: s.tokenName,
      description: s.tokenName,
      expiresInDays: s.expirationDays
    });
    expect(expected).toMatch(/^https:\/\/github\.com\/settings\/tokens\/new\?/);
    expect(expected).toContain('scopes=repo');
    expect(open).toHaveBeenCalledTimes(1);
    expect(open.mock.calls[0][0]).toBe(expected);
    expect(open.mock.calls[0][2]).toContain('noopener');
    expect(model.goTo).toHaveBeenCalledWith('verify');
  });

  it('"I already have a token" goes to verify without opening anything', () => {
    const open = jest.spyOn(window, 'open').mockImplementation(() => null);
    const model = fakeModel();
    render(model);
    act(() => button('I already have a token').click());
    expect(model.goTo).toHaveBeenCalledWith('verify');
    expect(open).not.toHaveBeenCalled();
  });

  it('keeps the step-by-step guide reachable', () => {
    const model = fakeModel();
    render(model);
    act(() => button('Show each step on GitHub').click());
    expect(model.goTo).toHaveBeenCalledWith('create');
  });

  it('disables the shortcut and says why when the web base URL is unusable', () => {
    render(fakeModel({ settings: { ...DEFAULT_SETTINGS, webBaseUrl: 'ftp://example.com' } }));
    expect(button('Create token on GitHub').disabled).toBe(true);
    expect(container.textContent).toContain('is not an http(s) URL');
  });
});

describe('"Use in this notebook"', () => {
  const kernel: IKernelWriteResult = {
    ok: true,
    message: 'Set GITHUB_TOKEN, GH_TOKEN in the kernel of analysis/a-very-long-notebook-name.ipynb.',
    variables: ['GITHUB_TOKEN', 'GH_TOKEN']
  };
  const field: IKernelWriteResult = {
    ok: true,
    message: 'Filled the "*Personal Access Token:" field.',
    variables: []
  };

  it('calls useInNotebook and shows the kernel and field results', () => {
    const model = signedInModel(heldToken(), { step: 'use' });
    render(model);
    act(() => button('Use in this notebook').click());
    expect(model.useInNotebook).toHaveBeenCalledTimes(1);

    model.useState = { status: 'done', result: { kernel, field } };
    render(model);
    const result = testId('use-result')!;
    expect(result.getAttribute('aria-live')).toBe('polite');
    expect(result.textContent).toContain(kernel.message);
    expect(result.textContent).toContain(field.message);
  });

  it('says when the notebook shows no field, and disables the button while working', () => {
    const model = signedInModel(heldToken(), { step: 'use', useState: { status: 'working' } });
    render(model);
    const working = [...container.querySelectorAll('button')].find(b => b.textContent?.includes('notebook…'));
    expect(working?.disabled).toBe(true);
    model.useState = { status: 'done', result: { kernel, field: null } };
    render(model);
    expect(testId('use-result')!.textContent).toContain('The notebook shows no token field.');
    const noNotebook: IKernelWriteResult = {
      ok: false,
      problem: 'no-notebook',
      message: 'Open a notebook first.',
      variables: []
    };
    model.useState = { status: 'done', result: { kernel: noNotebook, field: null } };
    render(model);
    expect(testId('use-result')!.textContent).toBe('Open a notebook first.');
  });

  it('is offered right after an ok verification', () => {
    const report = {
      ok: true,
      tokenKind: 'classic',
      account: { login: 'octocat', name: null, avatarUrl: '' },
      scopes: ['repo'],
      missingScopes: [],
      notes: []
    };
    const model = fakeModel({
      step: 'verify',
      verifyState: { status: 'done', report },
      format: { ok: true, token: CLASSIC, kind: 'classic', kindLabel: 'classic', checksum: 'valid', issues: [] }
    });
    render(model);
    act(() => button('Use in this notebook').click());
    expect(model.useInNotebook).toHaveBeenCalledTimes(1);
  });
});

describe('verify step', () => {
  it('says that it is verifying, in the live region', () => {
    render(fakeModel({ step: 'verify', verifyState: { status: 'verifying' } }));
    const live = testId('verify-result')!;
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(live.textContent).toContain('Verifying the token with api.github.com');
  });

  it('sets the draft as it is pasted (the model verifies a well-formed one itself)', () => {
    const model = fakeModel({ step: 'verify' });
    render(model);
    const input = container.querySelector<HTMLInputElement>('#jp-github-token-input')!;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    act(() => {
      setter.call(input, 'ghp_x');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(model.draft).toBe('ghp_x');
    expect(model.verify).not.toHaveBeenCalled();
  });
});

describe('server section', () => {
  it('disables "Remember on this computer" and shows the reason when no keychain is available', () => {
    render(
      signedInModel(heldToken(), {
        step: 'use',
        keychain: UNAVAILABLE,
        server: serverStatus([heldToken()], UNAVAILABLE)
      })
    );
    const box = container.querySelector<HTMLInputElement>('#jp-github-token-remember')!;
    expect(box.disabled).toBe(true);
    expect(box.checked).toBe(false);
    expect(testId('remember-reason')?.textContent).toBe(UNAVAILABLE.reason);
    const label = box.closest('label')!;
    expect(label.textContent).toContain('Remember on this computer');
  });

  it('turns remembering on through the model when a keychain is available', async () => {
    const model = signedInModel(heldToken(), { step: 'use' });
    render(model);
    const box = container.querySelector<HTMLInputElement>('#jp-github-token-remember')!;
    expect(box.disabled).toBe(false);
    expect(testId('remember-reason')).toBeNull();
    expect(container.textContent).toContain('SecretService Keyring');
    await act(async () => box.click());
    expect(model.setRemember).toHaveBeenCalledWith(true);
  });

  it('names the allowed-URLs trait when the API URL is not allowed', () => {
    const apiBaseUrl = 'https://ghe.example.com/api/v3';
    render(
      fakeModel({
        step: 'use',
        verificationRoute: 'not-allowed',
        settings: { ...DEFAULT_SETTINGS, apiBaseUrl }
      })
    );
    const note = testId('verification-route')!;
    expect(note.dataset.route).toBe('not-allowed');
    expect(note.textContent).toContain('c.GitHubTokenExtension.allowed_api_base_urls');
    expect(note.textContent).toContain(apiBaseUrl);
    expect(container.textContent).not.toContain('With the server extension enabled');
  });

  it('uses the held token for new kernels and terminals', async () => {
    const held = heldToken({ forNewKernels: true });
    const model = signedInModel(held, { step: 'use', usedForNewKernels: true });
    render(model);
    expect(testId('server-held')?.textContent).toContain(held.masked);
    const toggle = container.querySelector<HTMLInputElement>('input[role="switch"]')!;
    expect(toggle.checked).toBe(true);
    await act(async () => toggle.click());
    expect(model.useForNewKernels).toHaveBeenCalledWith(false);
  });
});

describe('"Remember on this computer" (B4)', () => {
  const box = () => container.querySelector<HTMLInputElement>('#jp-github-token-remember')!;

  it('shows whether the held token is remembered, not the setting for the next one', () => {
    render(signedInModel(heldToken({ remembered: true }), { step: 'use', remember: false }));
    expect(box().checked).toBe(true);
    render(signedInModel(heldToken({ remembered: false }), { step: 'use', remember: true }));
    expect(box().checked).toBe(false);
  });

  it('shows the setting while no token is held', () => {
    render(fakeModel({ step: 'use', remember: true }));
    expect(box().checked).toBe(true);
    render(fakeModel({ step: 'use', remember: false }));
    expect(box().checked).toBe(false);
  });

  it('turns a remembered held token off, showing the asked state until the server answers', async () => {
    let answer: (error: string) => void = () => undefined;
    const model = signedInModel(heldToken({ remembered: true }), {
      step: 'use',
      remember: true,
      setRemember: jest.fn(() => new Promise<string>(resolve => (answer = resolve)))
    });
    render(model);
    await act(async () => box().click());
    expect(model.setRemember).toHaveBeenCalledWith(false);
    expect(box().checked).toBe(false);
    expect(box().disabled).toBe(true);
    // The server answered: the held entry is what the box shows again.
    model.held = heldToken({ remembered: false });
    await act(async () => answer(''));
    render(model);
    expect(box().checked).toBe(false);
    expect(box().disabled).toBe(false);
  });

  it('falls back to the held state when the change fails, and says why', async () => {
    const model = signedInModel(heldToken({ remembered: false }), {
      step: 'use',
      setRemember: jest.fn(async () => 'The keychain refused.')
    });
    render(model);
    await act(async () => box().click());
    expect(model.setRemember).toHaveBeenCalledWith(true);
    expect(box().checked).toBe(false);
    expect(container.querySelector('[role="alert"]')?.textContent).toBe('The keychain refused.');
  });
});

describe('"Check again" (B6)', () => {
  const checkAgainButtons = () =>
    [...container.querySelectorAll('button')].filter(b => b.textContent === 'Check again');

  it('re-verifies the held token from the signed-in header and shows the report on the verify step', () => {
    const model = signedInModel(heldToken(), { step: 'use' });
    render(model);
    const inHeader = [...testId('signed-in')!.querySelectorAll('button')].filter(b => b.textContent === 'Check again');
    expect(inHeader).toHaveLength(1);
    act(() => inHeader[0].click());
    expect(model.verify).toHaveBeenCalledTimes(1);
    expect(model.goTo).toHaveBeenCalledWith('verify');
  });

  it('is disabled while verifying, and absent with a draft (Verify is then about the draft)', () => {
    render(signedInModel(heldToken(), { step: 'use', verifyState: { status: 'verifying' } }));
    const working = [...testId('signed-in')!.querySelectorAll('button')].find(b => b.textContent === 'Checking…');
    expect(working?.disabled).toBe(true);
    render(signedInModel(heldToken(), { step: 'use', hasDraft: true, draft: 'ghp_x' }));
    expect(checkAgainButtons()).toHaveLength(0);
  });

  it("enables the verify step's Verify button for the held token without a draft", () => {
    const model = signedInModel(heldToken(), { step: 'verify' });
    render(model);
    const verify = button('Verify');
    expect(verify.disabled).toBe(false);
    act(() => verify.click());
    expect(model.verify).toHaveBeenCalledTimes(1);
    expect(testId('verify-replaces')?.textContent).toContain('Verify checks it again');
  });

  it('keeps Verify disabled with neither a draft nor a held token, and with a malformed draft', () => {
    render(fakeModel({ step: 'verify' }));
    expect(button('Verify').disabled).toBe(true);
    const malformed = { ok: false, kind: 'unknown', kindLabel: 'Unknown', checksum: 'n/a', issues: [] };
    render(signedInModel(heldToken(), { step: 'verify', hasDraft: true, draft: 'nope', format: malformed }));
    expect(button('Verify').disabled).toBe(true);
  });
});

describe("the server's re-check, in the panel's words (C3)", () => {
  const ENGLISH = 'GitHub answered HTTP 502 to the check. The token is still held: try Verify in the panel later.';
  const check = (status: IHeldTokenStatus['check']['status'], extra: Record<string, unknown> = {}) =>
    heldToken({ check: { status, checkedAt: '2026-01-01T00:00:00Z', message: ENGLISH, ...extra } });

  it("never shows the server's English message, and gives one next step", () => {
    for (const status of ['revoked', 'expired', 'unreachable'] as const) {
      render(signedInModel(check(status), { step: 'use' }));
      const block = testId('held-check')!;
      expect(block.dataset.check).toBe(status);
      expect(block.textContent).not.toContain('try Verify in the panel later');
      expect(block.textContent!.match(/Next step:/g)).toHaveLength(1);
      expect(block.querySelectorAll('button')).toHaveLength(1);
    }
  });

  it("names GitHub's HTTP status when it answered, and offers Check again (once) for an unreachable check", () => {
    const model = signedInModel(check('unreachable', { httpStatus: 502 }), { step: 'use' });
    render(model);
    const block = testId('held-check')!;
    expect(block.textContent).toContain('GitHub answered HTTP 502');
    expect(block.textContent).not.toContain('rate limit');
    expect([...container.querySelectorAll('button')].filter(b => b.textContent === 'Check again')).toHaveLength(1);
    act(() => block.querySelector('button')!.click());
    expect(model.verify).toHaveBeenCalledTimes(1);

    render(signedInModel(check('unreachable', { httpStatus: 429 }), { step: 'use' }));
    expect(testId('held-check')!.textContent).toContain('rate limit');
    render(signedInModel(check('unreachable'), { step: 'use' }));
    expect(testId('held-check')!.textContent).toContain('could not reach GitHub');
    expect(testId('held-check')!.textContent).not.toContain('HTTP');
  });

  it('offers a new token (not Check again) for a revoked or expired token', () => {
    render(signedInModel(check('expired'), { step: 'use' }));
    const block = testId('held-check')!;
    expect(block.textContent).toContain('This token has expired.');
    expect(block.querySelector('button')!.textContent).toBe('Create a new token');
  });
});

describe('new kernels get a token held for another API (C5)', () => {
  const other = 'https://ghe.example.com/api/v3';

  it('warns when the entry for new kernels is held for another API base URL', () => {
    const mine = heldToken();
    const theirs = heldToken({ apiBaseUrl: other, forNewKernels: true });
    render(signedInModel(mine, { step: 'use', server: serverStatus([mine, theirs], AVAILABLE) }));
    expect(testId('server-other-host')?.textContent).toContain('ghe.example.com');
  });

  it("does not warn when it is the settings' own entry, spelt differently", () => {
    const mine = heldToken({ apiBaseUrl: `${DEFAULT_SETTINGS.apiBaseUrl}/`, forNewKernels: true });
    render(signedInModel(mine, { step: 'use', usedForNewKernels: true, server: serverStatus([mine], AVAILABLE) }));
    expect(testId('server-other-host')).toBeNull();
    expect(testId('server-held')).not.toBeNull();
  });
});

/**
 * The sidebar panel against a real JupyterLab and the fake GitHub API:
 * opening it, offline checks, verification results, start-up weight.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, test } from '@jupyterlab/galata';
import {
  FAKE_API,
  TOKENS,
  chooseAccess,
  fakeApiRequests,
  goToStep,
  openPanelFromPalette,
  panel,
  pasteToken,
  recordExtensionChunks,
  resetFakeApi,
  resetServerToken,
  serverStatus,
  setPanelSetting,
  verifyToken
} from './helpers';

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

test.describe('start-up', () => {
  test.use({ autoGoto: false });

  test('palette command opens and focuses the panel; Octokit loads only on the first Verify from the page', async ({
    page
  }) => {
    const served = recordExtensionChunks(page);
    // A fresh workspace: the shared one may restore the panel open, which
    // (rightly) loads the panel's chunk at start-up.
    await page.goto(`workspaces/startup-${Date.now()}?reset`);
    await expect(page.locator('.jp-SideBar [data-id="jp-github-token-panel"]')).toBeVisible();
    // Let late chunks of the start-up arrive before measuring it.
    await page.waitForLoadState('networkidle');
    const startup = [...served];
    const startupBytes = startup.reduce((sum, c) => sum + c.bytes, 0);
    expect(startup.some(c => /remoteEntry\./.test(c.url))).toBe(true);
    expect(startup.filter(c => c.octokit)).toEqual([]);
    // The panel (with its CSS), the token scanner and the leak guard's dialogs load later.
    expect(startup.filter(c => /\/(flow|leak-guard|leak-guard-dialogs)\./.test(c.url))).toEqual([]);
    expect(startupBytes).toBeLessThanOrEqual(21 * 1024);

    await openPanelFromPalette(page);
    // Focus moved into the panel, for keyboard users.
    await expect
      .poll(() => page.evaluate(() => !!document.activeElement?.closest('#jp-github-token-panel')))
      .toBe(true);
    expect(served.filter(c => c.octokit)).toEqual([]);

    // Through the Jupyter server (the fake API is on its allow-list): the server asks GitHub, the page loads no client.
    await verifyToken(page, TOKENS.classicRepo);
    await expect(panel(page).locator('[data-testid="account-login"]')).toHaveText('octo-scientist');
    expect(served.filter(c => c.octokit)).toEqual([]);

    // An API URL the server does not allow (the fake's Enterprise prefix): the page asks GitHub itself, with Octokit.
    await setPanelSetting(page, 'apiBaseUrl', `${FAKE_API}/api/v3`);
    try {
      await verifyToken(page, TOKENS.classicRepo);
      await expect(panel(page).locator('[data-testid="account-login"]')).toHaveText('octo-scientist');
      // The page's own request carries its Origin; the server's does not.
      expect((await fakeApiRequests()).some(r => r.path.endsWith('/user') && !!r.origin)).toBe(true);
    } finally {
      await setPanelSetting(page, 'apiBaseUrl', FAKE_API);
    }
    const octokit = served.filter(c => c.octokit);
    expect(octokit).toHaveLength(1);

    const report = {
      startupBytes,
      startupChunks: startup.map(c => ({ file: path.basename(c.url.split('?')[0]), bytes: c.bytes })),
      octokitBytes: octokit[0].bytes,
      panelChunkBytes: served.filter(c => !startup.includes(c) && !c.octokit).reduce((sum, c) => sum + c.bytes, 0)
    };
    const out = path.join(__dirname, 'test-results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'startup-bytes.json'), JSON.stringify(report, null, 2));
  });
});

test.describe('verification', () => {
  test.beforeEach(async ({ page }) => {
    await openPanelFromPalette(page);
  });

  test('the guide links to a pre-filled new-token page and its steps can be ticked', async ({ page }) => {
    await chooseAccess(page, /^Read & write\b(?!, public)/);
    await goToStep(page, 'create');
    const link = panel(page).getByRole('link', { name: "Open GitHub's new-token page" });
    const href = new URL((await link.getAttribute('href')) as string);
    expect(href.pathname).toBe('/web/settings/tokens/new');
    expect(href.searchParams.get('scopes')).toBe('repo');
    expect(href.searchParams.get('description')).toBe('JupyterLab');
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);
    const first = panel(page).getByRole('checkbox').first();
    await first.check();
    await expect(panel(page).locator('.jp-GitHubToken-progress')).toContainText('1 of');

    await chooseAccess(page, /^Read-only/);
    await panel(page)
      .getByRole('radio', { name: /Fine-grained token/ })
      .check();
    await goToStep(page, 'create');
    const fine = new URL((await link.getAttribute('href')) as string);
    expect(fine.pathname).toBe('/web/settings/personal-access-tokens/new');
    expect(fine.searchParams.get('contents')).toBe('read');
    expect(fine.searchParams.get('expires_in')).toBe('30');
  });

  test('a malformed token is refused offline, without asking GitHub', async ({ page }) => {
    await pasteToken(page, TOKENS.classicRepo.slice(0, -1) + (TOKENS.classicRepo.endsWith('A') ? 'B' : 'A'));
    await expect(panel(page).locator('[data-testid="format-error"]').first()).toBeVisible();
    await expect(panel(page).getByRole('button', { name: 'Verify', exact: true })).toBeDisabled();
    await pasteToken(page, 'ghp_abc"; import os');
    await expect(panel(page).locator('[data-testid="format-error"]').first()).toBeVisible();
    await expect(panel(page).locator('#jp-github-token-input')).toHaveAttribute('aria-invalid', 'true');
    await expect(panel(page).getByRole('button', { name: 'Verify', exact: true })).toBeDisabled();
    expect(await fakeApiRequests()).toEqual([]);
  });

  test('the token is masked, can be shown, and Forget clears it', async ({ page }) => {
    // A token GitHub refuses stays a draft in this tab (a verified one would go to the server at once).
    const token = TOKENS.revoked;
    await verifyToken(page, token);
    await expect(panel(page).locator('[data-problem="bad-credentials"]')).toBeVisible();
    const input = panel(page).locator('#jp-github-token-input');
    await expect(input).toHaveAttribute('type', 'password');
    const toggle = panel(page).getByRole('button', { name: 'Show token' });
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await toggle.click();
    await expect(input).toHaveAttribute('type', 'text');
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    await toggle.click();
    await expect(input).toHaveAttribute('type', 'password');
    const masked = `ghp_...${token.slice(-4)}`;
    await expect(panel(page).locator('.jp-GitHubToken-held')).toHaveText(masked);
    await expect(panel(page)).not.toContainText(token);
    // Not even in the markup (a controlled input would mirror it into value="...").
    expect(await page.content()).not.toContain(token);
    await expect(input).toHaveValue(token);
    // Nothing was held by the server.
    await expect(panel(page).locator('[data-testid="signed-in"]')).toHaveCount(0);
    expect((await serverStatus()).tokens).toEqual([]);
    await panel(page).getByRole('button', { name: 'Forget' }).click();
    await expect(input).toHaveValue('');
    await expect(panel(page).locator('.jp-GitHubToken-held')).toHaveCount(0);
    // Focus stays in the panel although the Forget button is gone.
    await expect
      .poll(() => page.evaluate(() => !!document.activeElement?.closest('#jp-github-token-panel')))
      .toBe(true);

    // A malformed paste can be forgotten too.
    await input.fill('ghp_not a token');
    await panel(page).getByRole('button', { name: 'Forget' }).click();
    await expect(input).toHaveValue('');
  });

  test('a good classic token verifies by itself on paste, with login, scopes and rate limit in one round trip', async ({
    page
  }) => {
    await chooseAccess(page, /^Read & write\b(?!, public)/);
    await verifyToken(page, TOKENS.classicRepo);
    const result = panel(page).locator('[data-testid="verify-result"]');
    await expect(result.locator('.jp-GitHubToken-report')).toHaveAttribute('data-ok', 'true');
    await expect(result.locator('[data-testid="account-login"]')).toHaveText('octo-scientist');
    await expect(result.locator('[data-testid="token-scopes"]')).toContainText('repo');
    await expect(result.locator('[data-testid="token-scopes"]')).toContainText('user');
    await expect(result.locator('[data-testid="rate-limit"]')).toContainText('of 5000 requests left');
    await expect(result.locator('img')).toHaveAttribute('src', /\/_fake\/avatars\/octo-scientist\.png(\?|$)/);
    const requests = await fakeApiRequests();
    // One verification: the paste's own (verifyToken does not click Verify).
    expect(requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /user']);
    expect(requests[0].auth).toBe('classicRepo');
    // Verified through the server, which now holds it for every tab: the page dropped its copy.
    await expect(panel(page).locator('[data-testid="signed-in"]')).toContainText('Signed in as octo-scientist');
    await expect(panel(page).locator('#jp-github-token-input')).toHaveValue('');
    expect((await serverStatus()).tokens.map(t => [t.apiBaseUrl, t.login])).toEqual([[FAKE_API, 'octo-scientist']]);
  });

  test('a repository check runs in parallel and reports push access', async ({ page }) => {
    await verifyToken(page, TOKENS.classicRepo, 'octo-org/private-data');
    const result = panel(page).locator('[data-testid="verify-result"]');
    await expect(result.locator('[data-testid="repo-check"]')).toContainText('octo-org/private-data: reachable');
    await expect(result.locator('[data-testid="repo-check"]')).toContainText('push allowed');
    const requests = (await fakeApiRequests()).map(r => `${r.method} ${r.path}`).sort();
    expect(requests).toEqual(['GET /repos/octo-org/private-data', 'GET /user']);

    await verifyToken(page, TOKENS.classicRepo, 'octo-org/missing');
    await expect(result.locator('[data-problem="repo-not-found"]')).toBeVisible();
    await expect(result.locator('.jp-GitHubToken-report')).toHaveAttribute('data-ok', 'false');
  });

  test('a read-only token is flagged when read & write was chosen', async ({ page }) => {
    await chooseAccess(page, /^Read & write\b(?!, public)/);
    await verifyToken(page, TOKENS.classicReadOnly);
    const result = panel(page).locator('[data-testid="verify-result"]');
    await expect(result.locator('[data-testid="account-login"]')).toHaveText('octo-reader');
    await expect(result.locator('[data-testid="missing-scopes"]')).toContainText('repo');
    await expect(result.locator('.jp-GitHubToken-report')).toHaveAttribute('data-ok', 'false');
  });

  test('a revoked token gets its own message and next step', async ({ page }) => {
    await verifyToken(page, TOKENS.revoked);
    const problem = panel(page).locator('[data-problem="bad-credentials"]');
    await expect(problem).toBeVisible();
    await expect(problem).toContainText(/revoked/i);
    await expect(problem.getByRole('link')).toHaveAttribute('href', /\/web\/settings\/tokens/);
    // The paste verified it once by itself; Verify stays for a retry: one click, one more request.
    expect((await fakeApiRequests()).map(r => `${r.method} ${r.path}`)).toEqual(['GET /user']);
    await panel(page).getByRole('button', { name: 'Verify', exact: true }).click();
    await expect
      .poll(async () => (await fakeApiRequests()).map(r => `${r.method} ${r.path}`))
      .toEqual(['GET /user', 'GET /user']);
    await expect(problem).toBeVisible();
  });

  test('rate limiting says when it resets', async ({ page }) => {
    await verifyToken(page, TOKENS.rateLimited);
    const problem = panel(page).locator('[data-problem="rate-limited"]');
    await expect(problem).toBeVisible();
    await expect(problem).toContainText(/rate limit/i);
    await expect(problem).toContainText(/\d{1,2}:\d{2}/);
  });

  test('SSO enforcement links to the authorization page', async ({ page }) => {
    await verifyToken(page, TOKENS.ssoRequired, 'octo-org/private-data');
    const problem = panel(page).locator('[data-problem="sso-required"]');
    await expect(problem).toBeVisible();
    await expect(problem.getByRole('link')).toHaveAttribute(
      'href',
      /^https:\/\/github\.com\/orgs\/octo-org\/sso\?authorization_request=/
    );
  });

  test('a fine-grained token says what could be verified', async ({ page }) => {
    await verifyToken(page, TOKENS.fineGrained);
    const result = panel(page).locator('[data-testid="verify-result"]');
    await expect(result.locator('[data-testid="account-login"]')).toHaveText('octo-fine');
    await expect(result.locator('[data-testid="token-scopes"]')).toContainText('not reported');
    await expect(result).toContainText(/fine-grained/i);
  });

  test('an API that does not answer in time is reported as a timeout', async ({ page }) => {
    await verifyToken(page, TOKENS.slow);
    await expect(panel(page).locator('[data-problem="timeout"]')).toBeVisible();
  });
});

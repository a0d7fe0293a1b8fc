/**
 * One home for the token (issue 11), in a real JupyterLab with real kernels
 * and ipywidgets: a verified token is held by the Jupyter server, so a
 * reload and a second tab have it without a paste, Forget in one tab clears
 * the others, notebook fields that are displayed now (and only those) get
 * it, and the guided path from "no token" to "the notebook has it" takes at
 * most four actions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import {
  FAKE_API,
  TOKENS,
  TOKEN_FORM,
  actionCounter,
  cellOutput,
  goToStep,
  idle,
  openPanelFromPalette,
  panel,
  pasteCell,
  resetFakeApi,
  resetServerToken,
  runFromPalette,
  serverStatus,
  setPanelSetting,
  useInNotebookButton,
  useResult,
  verifyToken
} from './helpers';

const token = TOKENS.classicRepo;
const masked = `ghp_...${token.slice(-4)}`;

const signedIn = (page: IJupyterLabPageFixture) => panel(page).locator('[data-testid="signed-in"]');
/** The form's Password field as displayed in the first cell. */
const passwordField = (page: IJupyterLabPageFixture) =>
  page.locator('.jp-Cell').first().locator('input[type="password"]');
/** JupyterLab notifications offering to fill a field. */
const fillOffers = (page: IJupyterLabPageFixture) =>
  page.locator('.Toastify__toast').filter({ has: page.getByRole('button', { name: 'Fill', exact: true }) });

/** The fixtures a second tab needs to be a Galata page of the same server and test folder. */
interface ISecondTabFixtures {
  page: IJupyterLabPageFixture;
  appPath: string;
  baseURL: string | undefined;
  tmpPath: string;
  waitForApplication: Parameters<typeof galata.initTestPage>[11];
  kernels: Parameters<typeof galata.initTestPage>[12];
  sessions: Parameters<typeof galata.initTestPage>[8];
  terminals: Parameters<typeof galata.initTestPage>[9];
}

/**
 * Open a second tab of the same JupyterLab (same browser context, same
 * server), in the test's folder; its kernels are shut down with the test's.
 */
async function openSecondTab(fixtures: ISecondTabFixtures): Promise<IJupyterLabPageFixture> {
  const { page, appPath, baseURL, tmpPath, waitForApplication, kernels, sessions, terminals } = fixtures;
  const raw = await page.context().newPage();
  // A workspace of its own: on the first tab's workspace, JupyterLab's window
  // resolver would move the new tab to another one (a navigation mid-start).
  return galata.initTestPage(
    `${appPath}/workspaces/second-tab`,
    true,
    baseURL as string,
    false,
    false,
    false,
    false,
    raw,
    sessions,
    terminals,
    tmpPath,
    waitForApplication,
    kernels,
    true
  );
}

/** Create a notebook showing the token form, and wait until its field is displayed. */
async function notebookWithForm(page: IJupyterLabPageFixture, name: string): Promise<void> {
  await page.notebook.createNew(name);
  await idle(page);
  await pasteCell(page, 0, TOKEN_FORM);
  await page.notebook.runCell(0);
  await expect(passwordField(page)).toBeVisible();
}

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

test('a reload keeps the token: the panel shows who is signed in, masked, without a paste', async ({ page }) => {
  await openPanelFromPalette(page);
  await verifyToken(page, token);
  await expect(signedIn(page)).toContainText('Signed in as octo-scientist');

  await page.reload();
  await openPanelFromPalette(page);
  await expect(signedIn(page)).toContainText('Signed in as octo-scientist');
  await expect(signedIn(page)).toContainText(masked);
  await expect(signedIn(page)).toContainText(/classic/i);
  await expect(signedIn(page)).toContainText(/expires|expired|no expiry/);
  await expect(signedIn(page).getByRole('button', { name: 'Forget' })).toBeVisible();
  // "Configure GitHub token" opens where the user is: the held token's use step, not the first step.
  await expect(panel(page).locator('button[data-step="use"]')).toHaveAttribute('aria-current', 'step');
  // Nothing was pasted in this page, and the page holds no copy of the token.
  expect(await page.content()).not.toContain(token);
});

test('a second tab fills a notebook field with no paste', async ({
  page,
  appPath,
  baseURL,
  tmpPath,
  waitForApplication,
  kernels,
  sessions,
  terminals
}) => {
  await openPanelFromPalette(page);
  await verifyToken(page, token);
  await expect(signedIn(page)).toContainText('Signed in as octo-scientist');

  const second = await openSecondTab({
    page,
    appPath,
    baseURL,
    tmpPath,
    waitForApplication,
    kernels,
    sessions,
    terminals
  });
  try {
    await notebookWithForm(second, 'second-tab.ipynb');
    await openPanelFromPalette(second);
    await expect(signedIn(second)).toContainText('Signed in as octo-scientist');
    await goToStep(second, 'use');
    await useInNotebookButton(second).click();
    await expect(useResult(second).locator('[data-ok="true"]')).toHaveCount(2);
    await expect(useResult(second)).toContainText('*Personal Access Token:');
    await expect(passwordField(second)).toHaveValue(token);
    await second.notebook.activate('second-tab.ipynb');
    await second.notebook.setCell(1, 'code', 'print(len(github_token.value))');
    await second.notebook.runCell(1);
    expect(await cellOutput(second, 1)).toBe(String(token.length));
    // No paste in this tab: its token field was never filled.
    await goToStep(second, 'verify');
    await expect(panel(second).locator('#jp-github-token-input')).toHaveValue('');
  } finally {
    await second.close();
  }
});

test('Forget in one tab clears the other within seconds, without a reload; a token held in one shows in the other', async ({
  page,
  appPath,
  baseURL,
  tmpPath,
  waitForApplication,
  kernels,
  sessions,
  terminals
}) => {
  await openPanelFromPalette(page);
  await verifyToken(page, token);
  await expect(signedIn(page)).toBeVisible();
  const second = await openSecondTab({
    page,
    appPath,
    baseURL,
    tmpPath,
    waitForApplication,
    kernels,
    sessions,
    terminals
  });
  try {
    await openPanelFromPalette(second);
    await expect(signedIn(second)).toContainText('Signed in as octo-scientist');

    const started = Date.now();
    await signedIn(page).getByRole('button', { name: 'Forget' }).click();
    await expect(signedIn(page)).toHaveCount(0);
    await expect(signedIn(second)).toHaveCount(0, { timeout: 10000 });
    console.log(`Forget reached the other tab in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect((await serverStatus()).tokens).toEqual([]);

    // The other way: verified in the second tab, the first one shows it without a reload.
    await verifyToken(second, TOKENS.classicNoExpiry);
    await expect(signedIn(second)).toContainText('Signed in as octo-forever');
    await expect(signedIn(page)).toContainText('Signed in as octo-forever', { timeout: 10000 });
  } finally {
    await second.close();
  }
});

test('re-running the form cell: the displayed field is the one offered and filled, the stale one never', async ({
  page
}) => {
  const name = 'rerun.ipynb';
  await notebookWithForm(page, name);
  await page.notebook.setCell(1, 'code', 'first_field = github_token');
  await page.notebook.runCell(1);
  // Run again: a new field replaces the displayed one; the first still lives in the kernel.
  await page.notebook.runCell(0);
  await expect(passwordField(page)).toHaveCount(1);

  await openPanelFromPalette(page);
  await verifyToken(page, token);
  await useInNotebookButton(page).click();
  await expect(useResult(page).locator('[data-ok="true"]')).toHaveCount(2);
  await expect(useResult(page)).toContainText('Password field "*Personal Access Token:" (github_token)');
  // Exactly one candidate: nothing to choose between.
  await expect(panel(page).locator('[data-testid="notebook-field-candidates"]')).toHaveCount(0);
  await expect(panel(page)).not.toContainText('Several fields could take the token');
  await expect(passwordField(page)).toHaveValue(token);
  await page.notebook.activate(name);
  await page.notebook.setCell(
    2,
    'code',
    'print(len(github_token.value), len(first_field.value), first_field is github_token)'
  );
  await page.notebook.runCell(2);
  expect(await cellOutput(page, 2)).toBe(`${token.length} 0 False`);

  // The panel's "Write to notebook field" command follows the same rule.
  await page.notebook.runCell(0);
  await expect(passwordField(page)).toHaveValue('');
  await runFromPalette(page, 'Write GitHub token to notebook field');
  const fieldResult = panel(page).locator('[data-testid="notebook-field-result"] p').last();
  await expect(fieldResult).toHaveAttribute('data-ok', 'true');
  await expect(panel(page).locator('[data-testid="notebook-field-candidates"]')).toHaveCount(0);
  await expect(passwordField(page)).toHaveValue(token);
  await page.notebook.activate(name);
  await page.notebook.runCell(2);
  expect(await cellOutput(page, 2)).toBe(`${token.length} 0 False`);
});

test('fillNotebookFields "ask": a notification names the field and the account, and its Fill fills it; "never": none', async ({
  page
}) => {
  const name = 'ask.ipynb';
  await openPanelFromPalette(page);
  await verifyToken(page, token);
  await expect(signedIn(page)).toBeVisible();

  await page.notebook.createNew(name);
  await idle(page);
  await pasteCell(page, 0, TOKEN_FORM);
  const shown = Date.now();
  await page.notebook.runCell(0);
  const offer = fillOffers(page);
  await expect(offer).toHaveCount(1);
  const askedAfter = Date.now() - shown;
  await expect(offer).toContainText('*Personal Access Token:');
  await expect(offer).toContainText('octo-scientist');
  await expect(offer).not.toContainText(token);
  // Asked, not filled.
  await expect(passwordField(page)).toHaveValue('');
  await offer.getByRole('button', { name: 'Fill', exact: true }).click();
  await expect(passwordField(page)).toHaveValue(token);
  await expect(fillOffers(page)).toHaveCount(0);
  await page.notebook.activate(name);
  await page.notebook.setCell(1, 'code', 'print(len(github_token.value))');
  await page.notebook.runCell(1);
  expect(await cellOutput(page, 1)).toBe(String(token.length));

  await setPanelSetting(page, 'fillNotebookFields', 'never');
  try {
    await page.notebook.runCell(0);
    await expect(passwordField(page)).toBeVisible();
    // Give it well over the time the offer took above.
    await page.waitForTimeout(Math.max(3000, 2 * askedAfter));
    await expect(fillOffers(page)).toHaveCount(0);
    await expect(passwordField(page)).toHaveValue('');
  } finally {
    await setPanelSetting(page, 'fillNotebookFields', 'ask');
  }
});

test('the guided path: from no token to a verified token in the notebook field and kernel in at most 4 actions', async ({
  page
}) => {
  const name = 'count.ipynb';
  // Set-up, not user actions: the default choices (earlier tests may have changed the saved ones).
  await setPanelSetting(page, 'tokenType', 'classic');
  await setPanelSetting(page, 'accessLevel', 'read-write');
  // The starting point: a notebook showing its token form, no token anywhere.
  await notebookWithForm(page, name);
  expect((await serverStatus()).tokens).toEqual([]);
  await expect(panel(page)).toBeHidden();

  const { act, actions } = actionCounter();
  await act('open the panel', () => page.locator('.jp-SideBar [data-id="jp-github-token-panel"]').click());
  await expect(panel(page).locator('button[data-step="access"]')).toHaveAttribute('aria-current', 'step');

  const popup = page.context().waitForEvent('page');
  await act('Create token on GitHub', () =>
    panel(page).getByRole('button', { name: 'Create token on GitHub' }).click()
  );
  const github = await popup;
  // GitHub's pre-filled new-token page for a classic token (the choice set above).
  await expect.poll(() => github.url()).toContain(`${FAKE_API}/web/settings/tokens/new?`);
  await github.close();
  await expect(panel(page).locator('button[data-step="verify"]')).toHaveAttribute('aria-current', 'step');

  await act('paste the token', () => panel(page).locator('#jp-github-token-input').fill(token));
  await expect(panel(page).locator('[data-testid="verify-result"] .jp-GitHubToken-report')).toHaveAttribute(
    'data-ok',
    'true'
  );

  await act('Use in this notebook', () => useInNotebookButton(page).click());
  await expect(useResult(page).locator('[data-ok="true"]')).toHaveCount(2);

  // Checked, not counted: the field shows it, the kernel and the form's code have it.
  await expect(passwordField(page)).toHaveValue(token);
  await page.notebook.activate(name);
  await page.notebook.setCell(
    1,
    'code',
    'import os\nprint(len(os.environ.get("GITHUB_TOKEN", "")), len(github_token.value))'
  );
  await page.notebook.runCell(1);
  expect(await cellOutput(page, 1)).toBe(`${token.length} ${token.length}`);

  console.log(
    `actions from "no token" to the notebook's field and kernel having it: ${actions.length} (${actions.join(', ')})`
  );
  const out = path.join(__dirname, 'test-results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'action-count.json'), JSON.stringify({ count: actions.length, actions }, null, 2));
  expect(actions.length).toBeLessThanOrEqual(4);
});

test('without a keychain, "Remember on this computer" is disabled and says why', async ({ page }) => {
  // The shared server runs outside any D-Bus session: keyring finds no secure backend.
  const before = await serverStatus();
  expect(before.keychain.available).toBe(false);
  expect(before.keychain.reason).toMatch(/Secret Service|keyring|keychain/i);

  await openPanelFromPalette(page);
  await verifyToken(page, token);
  await goToStep(page, 'use');
  const remember = panel(page).getByRole('checkbox', { name: /Remember on this computer/ });
  await expect(remember).toBeDisabled();
  await expect(remember).not.toBeChecked();
  await expect(panel(page).locator('#jp-github-token-remember')).toBeDisabled();
  await expect(panel(page).locator('[data-testid="remember-reason"]')).toHaveText(before.keychain.reason);
  // Held in the server's memory only.
  expect((await serverStatus()).tokens.map(t => [t.login, t.remembered])).toEqual([['octo-scientist', false]]);
});

test('an API URL the server does not allow: the panel names the trait to set, and the token stays in the tab', async ({
  page
}) => {
  // The fake's Enterprise prefix is not on the server's allow-list.
  await setPanelSetting(page, 'apiBaseUrl', `${FAKE_API}/api/v3`);
  try {
    await openPanelFromPalette(page);
    await goToStep(page, 'verify');
    await expect(panel(page)).toContainText('c.GitHubTokenExtension.allowed_api_base_urls');
    await expect(panel(page)).not.toContainText('With the server extension enabled');
    await verifyToken(page, token);
    await expect(panel(page).locator('[data-testid="account-login"]')).toHaveText('octo-scientist');
    await expect(signedIn(page)).toHaveCount(0);
    expect((await serverStatus()).tokens).toEqual([]);
  } finally {
    await setPanelSetting(page, 'apiBaseUrl', FAKE_API);
  }
});

test('a narrow sidebar: the scope chips wrap inside the panel, and a long notebook path in a message wraps', async ({
  page
}) => {
  // A notebook with a long name and no token field: its "no field found" message names the path.
  const name = `${'an-analysis-notebook-with-a-long-name-'.repeat(3)}final.ipynb`;
  await page.notebook.createNew(name);
  await idle(page);
  await openPanelFromPalette(page);
  const narrow = () =>
    page.evaluate(() => {
      // The panel itself has JupyterLab's minimum sidebar width: narrow its content.
      const node = document.querySelector('#jp-github-token-panel .jp-GitHubToken-content') as HTMLElement;
      node.style.boxSizing = 'border-box';
      node.style.width = '150px';
      return node.getBoundingClientRect().width;
    });
  expect(await narrow()).toBeLessThanOrEqual(150);
  await verifyToken(page, token);
  expect(await narrow()).toBeLessThanOrEqual(150);
  /** Elements of the panel that stick out past its content's right edge (or overflow their own box). */
  const outside = (selector: string) =>
    page.evaluate(sel => {
      const content = document.querySelector('#jp-github-token-panel .jp-GitHubToken-content') as HTMLElement;
      const box = content.getBoundingClientRect();
      return Array.from(document.querySelectorAll<HTMLElement>(`#jp-github-token-panel ${sel}`))
        .filter(el => el.getBoundingClientRect().right > box.right + 0.5 || el.scrollWidth > el.clientWidth + 1)
        .map(el => el.textContent ?? '');
    }, selector);
  const chips = panel(page).locator('[data-testid="token-scopes"] code');
  await expect(chips).toHaveCount(2);
  expect(await outside('[data-testid="token-scopes"] code')).toEqual([]);
  expect(await outside('[data-testid="signed-in"] code')).toEqual([]);

  await goToStep(page, 'use');
  expect(await narrow()).toBeLessThanOrEqual(150);
  await panel(page).getByRole('button', { name: 'Write to notebook field' }).click();
  const message = panel(page).locator('[data-testid="notebook-field-result"] p').last();
  await expect(message).toContainText(name);
  expect(await outside('[data-testid="notebook-field-result"] p')).toEqual([]);
});

/**
 * With the server extension: verification through the Jupyter server (which
 * sees the expiry header a browser cannot), and the token for new kernels.
 */
import { expect, test } from '@jupyterlab/galata';
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';
import {
  FAKE_API,
  TOKENS,
  fakeApiRequests,
  goToStep,
  openPanelFromPalette,
  panel,
  resetFakeApi,
  resetServerToken,
  serverStatus,
  verifyToken
} from './helpers';

// Galata's kernel tracking answers every POST under /api/kernels with 201, which
// JupyterLab's own restart call (POST /api/kernels/{id}/restart, expecting 200)
// takes for a failure: talk to the real kernels API here.
test.use({ kernels: null });

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

/** Run `code` in a new cell of the active notebook and return its text output. */
async function runInNotebook(page: IJupyterLabPageFixture, index: number, code: string): Promise<string> {
  await page.notebook.setCell(index, 'code', code);
  await page.notebook.runCell(index);
  return ((await page.notebook.getCellTextOutput(index)) ?? []).join('').trim();
}

/** Start a kernel through JupyterLab's kernel manager, run `code`, shut it down. */
async function runInNewKernel(page: IJupyterLabPageFixture, code: string): Promise<string> {
  const out = await page.evaluate(async source => {
    const kernels = (window as any).jupyterapp.serviceManager.kernels;
    const kernel = await kernels.startNew({ name: 'python3' });
    let text = '';
    try {
      const future = kernel.requestExecute({ code: source });
      future.onIOPub = (msg: any) => {
        if (msg.header.msg_type === 'stream') {
          text += msg.content.text;
        }
      };
      await future.done;
    } finally {
      await kernel.shutdown();
    }
    return text;
  }, code);
  return out.trim();
}

test('verification goes through the Jupyter server and shows the expiry', async ({ page }) => {
  await openPanelFromPalette(page);
  await verifyToken(page, TOKENS.classicRepo);
  const expiry = panel(page).locator('[data-testid="token-expiry"]');
  await expect(expiry).toContainText(/\(in \d+ days?\)/);
  await expect(panel(page).locator('[data-testid="account-login"]')).toHaveText('octo-scientist');
  // The fake API saw the request without a browser Origin: it came from the server.
  const requests = await fakeApiRequests();
  expect(requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /user']);
  expect(requests[0]).toMatchObject({ auth: 'classicRepo' });
  expect((requests[0] as any).origin ?? null).toBeNull();

  await verifyToken(page, TOKENS.classicNoExpiry);
  await expect(expiry).toHaveText('never');

  // The test settings warn under 35 days: 2026-12-24 is within, 2027-01-05 (-0700) is not.
  await verifyToken(page, TOKENS.classicExpiryOffset);
  await expect(expiry).toContainText(/\(in \d+ days\)/);
  await expect(expiry).not.toContainText('Create a new token soon');
  await verifyToken(page, TOKENS.classicRepo);
  await expect(expiry).toContainText('Create a new token soon');
  await expect(expiry).toHaveClass(/jp-GitHubToken-warning/);
});

test('use for new kernels: a kernel started afterwards has the token; forget, clear, and new kernels do not', async ({
  page
}) => {
  const token = TOKENS.classicRepo;
  await openPanelFromPalette(page);
  await verifyToken(page, token);
  await goToStep(page, 'use');
  const toggle = panel(page).getByRole('switch', { name: /Use for new kernels and terminals/ });
  // The server holds the verified token already; new kernels get it only once
  // the switch is on, which changes the held entry (PATCH), not the token.
  expect((await serverStatus()).tokens.map(t => t.forNewKernels)).toEqual([false]);
  await expect(toggle).not.toBeChecked();
  await toggle.click();
  await expect(toggle).toBeChecked();
  expect((await serverStatus()).tokens.map(t => [t.masked, t.forNewKernels])).toEqual([
    [`ghp_...${token.slice(-4)}`, true]
  ]);
  await expect(panel(page).locator('[data-testid="server-held"]')).toContainText(`ghp_...${token.slice(-4)}`);
  await expect(panel(page)).not.toContainText(token);

  await page.notebook.createNew('with-token.ipynb');
  expect(
    await runInNotebook(
      page,
      0,
      'import os\nprint(os.environ.get("GITHUB_TOKEN") == os.environ.get("GH_TOKEN"), os.environ.get("GH_TOKEN", "")[-4:])'
    )
  ).toBe(`True ${token.slice(-4)}`);
  expect(
    await runInNotebook(
      page,
      1,
      'import subprocess\nprint(subprocess.run(["git", "config", "--get-urlmatch", "credential.helper", "' +
        FAKE_API +
        '/x.git"], capture_output=True, text=True).stdout.strip() != "")'
    )
  ).toBe('True');

  // A terminal started while the server holds the token.
  const terminal = await page.evaluate(async () => {
    const connection = await (window as any).jupyterapp.serviceManager.terminals.startNew();
    return connection.name as string;
  });

  // Forget (in the signed-in header): the server drops it, and the panel offers to clear the running kernel.
  await panel(page).locator('[data-testid="signed-in"]').getByRole('button', { name: 'Forget' }).click();
  const holders = panel(page).locator('[data-testid="kernels-holding"]');
  await expect(holders).toContainText('1 running kernel still has the token');
  await expect(holders.getByRole('listitem')).toHaveText([/with-token\.ipynb$/]);
  expect((await serverStatus()).tokens).toEqual([]);
  await expect(panel(page).locator('[data-testid="signed-in"]')).toHaveCount(0);
  // ... and lists the terminal, which only closing clears.
  const terminals = panel(page).locator('[data-testid="terminals-holding"]');
  await expect(terminals.getByRole('listitem')).toHaveText([`Terminal ${terminal}`]);
  await holders.getByRole('button', { name: 'Clear it from these kernels' }).click();
  await expect(holders).toHaveCount(0);
  await page.notebook.activate('with-token.ipynb');
  // (The cell rebuilds the token from its reverse: the notebook never holds it.)
  const reversed = [...token].reverse().join('');
  const initialEnvironment = `print("${reversed}"[::-1].encode() in open("/proc/self/environ", "rb").read())`;
  expect(
    await runInNotebook(
      page,
      2,
      'import os\nprint("GITHUB_TOKEN" in os.environ, "GH_TOKEN" in os.environ)\n' + initialEnvironment
    )
  ).toBe('False False\nTrue');
  // os.environ is clean, the process's initial environment is not: the panel says so and offers a restart.
  const restart = panel(page).locator('[data-testid="kernels-restart"]');
  await expect(restart).toContainText('/proc/<pid>/environ');
  await restart.getByRole('button', { name: 'Restart these kernels' }).click();
  await expect(restart).toHaveCount(0);
  await page.notebook.activate('with-token.ipynb');
  await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toHaveCount(1, { timeout: 30000 });
  expect(await runInNotebook(page, 3, 'import os\nprint("GITHUB_TOKEN" in os.environ)\n' + initialEnvironment)).toBe(
    'False\nFalse'
  );

  await terminals.getByRole('button', { name: 'Close these terminals' }).click();
  await expect(terminals).toHaveCount(0);
  const stillRunning = await page.evaluate(async () => {
    const response = await fetch('/api/terminals');
    return ((await response.json()) as Array<{ name: string }>).map(t => t.name);
  });
  expect(stillRunning).not.toContain(terminal);

  // A kernel started after Forget, through JupyterLab's own kernel service.
  expect(
    await runInNewKernel(page, 'import os\nprint("GITHUB_TOKEN" in os.environ, "GIT_CONFIG_PARAMETERS" in os.environ)')
  ).toBe('False False');
});

/** The README's screenshots, and the panel in the dark theme. */
import * as path from 'path';
import { expect, test } from '@jupyterlab/galata';
import { TOKENS, openPanelFromPalette, panel, resetFakeApi, resetServerToken, verifyToken } from './helpers';

const SHOTS = path.join(__dirname, 'screenshots');

test.beforeEach(async () => {
  await resetFakeApi();
  await resetServerToken();
});

/** The relative luminance (0 dark .. 1 light) of a CSS rgb() colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

test('panel screenshots in the light and dark themes', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 900 });
  await openPanelFromPalette(page);
  await verifyToken(page, TOKENS.classicRepo, 'octo-org/private-data');
  await expect(panel(page).locator('[data-testid="repo-check"]')).toContainText('push allowed');
  await panel(page).screenshot({ path: path.join(SHOTS, 'panel-verified.png') });
  const light = await panel(page).evaluate(el => getComputedStyle(el).backgroundColor);
  expect(luminance(light)).toBeGreaterThan(0.8);

  await page.theme.setDarkTheme();
  try {
    const dark = await panel(page).evaluate(el => getComputedStyle(el).backgroundColor);
    expect(luminance(dark)).toBeLessThan(0.3);
    const text = await panel(page)
      .locator('[data-testid="account-login"]')
      .evaluate(el => getComputedStyle(el).color);
    expect(luminance(text)).toBeGreaterThan(0.6);
    await panel(page).screenshot({ path: path.join(SHOTS, 'panel-verified-dark.png') });
  } finally {
    await page.theme.setLightTheme();
  }
});

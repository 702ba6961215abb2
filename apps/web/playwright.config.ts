import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end suite: Debian's Chromium against a running gateway that serves the built app.
 * Started by `node tools/e2e.mjs` (which sets BASE_URL to an isolated backend); to run it
 * against a backend you started yourself: `BASE_URL=http://127.0.0.1:4000 npx playwright
 * test -c apps/web/playwright.config.ts` (that backend needs high rate limits).
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: Number(process.env.E2E_WORKERS ?? 1),
  timeout: 30_000,
  expect: { timeout: 7_500 },
  reporter: [['list'], ['./e2e/summary-reporter.ts']],
  use: {
    baseURL: process.env.BASE_URL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        },
      },
    },
  ],
});

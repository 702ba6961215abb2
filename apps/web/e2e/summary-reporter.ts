import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/**
 * One plain closing line, `e2e: N passed, N failed, N skipped`, after the list reporter's
 * output: what CI and `tools/e2e.mjs` callers read. Flaky counts as failed (retries are 0).
 */
export default class SummaryReporter implements Reporter {
  private readonly outcomes = new Map<TestCase, TestResult['status']>();

  onTestEnd(test: TestCase, result: TestResult): void {
    this.outcomes.set(test, result.status);
  }

  onEnd(result: FullResult): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const status of this.outcomes.values()) {
      if (status === 'passed') passed++;
      else if (status === 'skipped') skipped++;
      else failed++;
    }
    // A run that failed before any test (config error, global timeout) still counts as failed.
    if (result.status !== 'passed' && failed === 0) failed = 1;
    console.log(`e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }

  printsToStdio(): boolean {
    return false;
  }
}

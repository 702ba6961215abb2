import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/**
 * The serious and critical violations on the page as it is now (WCAG 2.x A/AA rules and
 * best practices), optionally only inside `include` (a CSS selector).
 */
export async function seriousViolations(page: Page, include?: string) {
  // Judge the resting state: no hover left over from the last click.
  await page.mouse.move(0, 0);
  let builder = new AxeBuilder({ page }).withTags([
    'wcag2a',
    'wcag2aa',
    'wcag21a',
    'wcag21aa',
    'wcag22aa',
    'best-practice',
  ]);
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({
        target: n.target.join(' '),
        html: n.html.slice(0, 160),
        why: n.failureSummary?.replace(/\s+/g, ' ').slice(0, 240),
      })),
    }));
}

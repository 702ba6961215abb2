// deploy/prometheus*.yml and deploy/alerts.yml checked by promtool, and every PromQL
// expression of the alerts and of deploy/grafana-dashboard.json parsed by Prometheus' own
// parser (tools/promtool/promql-names), whose metric names must be ones the code registers:
// the real registries of the gateway and of the workers, not a list kept by hand.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createMetrics } from '../../apps/gateway/src/metrics.js';
import {
  createChatMetrics,
  createNotificationMetrics,
  createWorkerMetrics,
} from '../../apps/workers/src/metrics.js';
import { deployTool, runTool } from '../support/deploy-tools.js';
import { ROOT } from '../support/stack-env.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Rule {
  alert: string;
  expr: string;
  labels?: { severity?: string };
  annotations?: { summary?: string };
}
const alertRules = (
  parse(read('deploy/alerts.yml')) as { groups: Array<{ rules: Rule[] }> }
).groups.flatMap((g) => g.rules);

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}
const dashboard = JSON.parse(read('deploy/grafana-dashboard.json')) as {
  uid: string;
  panels: Panel[];
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

/** Grafana's variables, as Grafana substitutes them before Prometheus sees the query. */
const substituteGrafana = (expr: string) =>
  expr.replace(/\$__rate_interval|\$__interval|\$\{__rate_interval\}/g, '5m');

/** Every series name the processes export (histograms as their _bucket/_sum/_count). */
async function exportedMetricNames(): Promise<Set<string>> {
  const gateway = createMetrics().registry;
  const worker = createWorkerMetrics('test').registry;
  createChatMetrics(worker);
  createNotificationMetrics(worker);
  const names = new Set<string>();
  const add = async (registry: Registry) => {
    for (const metric of await registry.getMetricsAsJSON()) {
      const suffixes = String(metric.type) === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
      for (const suffix of suffixes) names.add(`${metric.name}${suffix}`);
    }
  };
  await add(gateway);
  await add(worker);
  return names;
}

/** Metric names of each expression, from Prometheus' parser; fails on any parse error. */
function metricsOf(exprs: string[]): Map<string, string[]> {
  const tool = deployTool('promql-names');
  const res = runTool(tool, [], JSON.stringify(exprs));
  assert.equal(res.status, 0, `promql-names failed:\n${res.out}`);
  const results = JSON.parse(res.stdout) as Array<{
    expr: string;
    metrics?: string[];
    error?: string;
  }>;
  for (const r of results) assert.equal(r.error, undefined, `PromQL error in: ${r.expr}`);
  return new Map(results.map((r) => [r.expr, r.metrics ?? []]));
}

/** Series Prometheus itself adds to every target. */
const SCRAPE_SERIES = new Set(['up']);

void test('promtool accepts the alert rules and both scrape configs', () => {
  const promtool = deployTool('promtool');
  const rules = runTool(promtool, ['check', 'rules', 'deploy/alerts.yml']);
  assert.equal(rules.status, 0, `promtool check rules:\n${rules.out}`);
  assert.match(rules.out, new RegExp(`SUCCESS: ${alertRules.length} rules found`));
  for (const config of ['deploy/prometheus.yml', 'deploy/prometheus-k8s.yml']) {
    const res = runTool(promtool, ['check', 'config', config]);
    assert.equal(res.status, 0, `promtool check config ${config}:\n${res.out}`);
  }
});

void test('promtool rejects a broken rule (it really checks)', () => {
  const promtool = deployTool('promtool');
  const broken = `groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: rate(up[5m]\n`;
  const res = runTool(promtool, ['check', 'rules'], broken);
  assert.notEqual(res.status, 0);
});

void test('every metric the alerts and the dashboard use is one the code exports', async () => {
  const exported = await exportedMetricNames();
  const exprs = [
    ...alertRules.map((r) => r.expr),
    ...panels.flatMap((p) => p.targets ?? []).map((t) => substituteGrafana(t.expr)),
  ];
  const used = metricsOf(exprs);
  for (const [expr, names] of used) {
    assert.ok(names.length > 0, `selects no metric: ${expr}`);
    for (const name of names)
      assert.ok(exported.has(name) || SCRAPE_SERIES.has(name), `${name} is not exported (${expr})`);
  }
  // The names the dashboards are about exist: a renamed metric fails here, not in Grafana.
  for (const name of [
    'rpc_handler_duration_seconds_bucket',
    'event_delivery_lag_seconds_bucket',
    'queue_messages_ready',
    'events_dead_lettered_total',
    'chat_messages_stored_total',
    'event_log_appends_total',
  ])
    assert.ok(
      [...used.values()].some((names) => names.includes(name)),
      `nothing shows ${name}`,
    );
});

void test('every alert has a severity, a summary and a runbook entry', () => {
  const runbook = read('deploy/README.md');
  const names = new Set<string>();
  for (const rule of alertRules) {
    assert.ok(!names.has(rule.alert), `${rule.alert} defined twice`);
    names.add(rule.alert);
    assert.match(rule.labels?.severity ?? '', /^(critical|warning|info)$/, rule.alert);
    assert.ok(rule.annotations?.summary, `${rule.alert} has no summary`);
    assert.ok(
      runbook.includes(`\`${rule.alert}\``),
      `deploy/README.md does not explain ${rule.alert}`,
    );
  }
});

void test('the dashboard is one Grafana can import', () => {
  assert.ok(dashboard.uid);
  const ids = panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const panel of panels.filter((p) => p.type !== 'row')) {
    assert.ok(panel.targets?.length, `${panel.title} has no query`);
    for (const target of panel.targets) assert.ok(target.expr.trim(), panel.title);
  }
  for (const shown of ['procedure', 'method', 'queue', 'websocket_open_connections'])
    assert.ok(
      panels.some((p) => p.targets?.some((t) => t.expr.includes(shown))),
      `the dashboard shows ${shown}`,
    );
});

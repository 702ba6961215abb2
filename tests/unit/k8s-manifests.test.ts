// deploy/k8s rendered with the real kustomize and validated offline against the Kubernetes
// OpenAPI schemas by kubernetes-validate (strict: unknown fields fail), then checked against
// the code: env names against the env schemas, ports and probes against the processes.
// The tools come from tools/deploy-tools.mjs; if they can't be built this test fails.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { gatewayEnvSchema } from '../../apps/gateway/src/env.js';
import { workerEnvSchema } from '../../apps/workers/src/env.js';
import { deployTool, runTool } from '../support/deploy-tools.js';
import { ROOT } from '../support/stack-env.js';

/** Oldest and newest Kubernetes versions the manifests must be valid for. */
const KUBERNETES_VERSIONS = ['1.29.0', '1.37.0'];
const TARGETS = ['deploy/k8s/base', 'deploy/k8s/overlays/production'];
const WORKER_ROLES = ['auth', 'user', 'chat', 'notification'];

interface Container {
  name: string;
  image?: string;
  command?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface Resource {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number; maxSurge?: number } };
    scaleTargetRef?: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
    };
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

let dir: string;
const rendered = new Map<string, { file: string; resources: Resource[] }>();

before(() => {
  const kustomize = deployTool('kustomize');
  dir = mkdtempSync(path.join(tmpdir(), 'k8s-'));
  for (const target of TARGETS) {
    const res = runTool(kustomize, ['build', target]);
    assert.equal(res.status, 0, `kustomize build ${target} failed:\n${res.out}`);
    const file = path.join(dir, `${target.replaceAll('/', '_')}.yaml`);
    writeFileSync(file, res.stdout);
    const resources = parseAllDocuments(res.stdout).map((d) => d.toJS() as Resource);
    rendered.set(target, { file, resources });
  }
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

void test('every rendered manifest is valid against the Kubernetes OpenAPI schemas', () => {
  const validate = deployTool('kubernetes-validate');
  const files = [
    ...[...rendered.values()].map((r) => r.file),
    path.join(ROOT, 'deploy/k8s/secret.template.yaml'),
  ];
  for (const version of KUBERNETES_VERSIONS) {
    const res = runTool(validate, ['--strict', '--kubernetes-version', version, ...files]);
    assert.equal(res.status, 0, `kubernetes-validate (Kubernetes ${version}):\n${res.out}`);
    // It names every resource it passed: nothing was left out unchecked.
    const passed = res.out.match(/ passed for resource /g)?.length ?? 0;
    const total = [...rendered.values()].reduce((n, r) => n + r.resources.length, 1);
    assert.equal(passed, total, `validated ${passed} of ${total} resources:\n${res.out}`);
  }
});

void test('the validator rejects a manifest the schemas forbid (it really checks)', () => {
  const validate = deployTool('kubernetes-validate');
  const bad = path.join(dir, 'bad.yaml');
  const deployment = readFileSync(rendered.get(TARGETS[1]!)!.file, 'utf8')
    .split(/^---$/m)
    .find((doc) => /^kind: Deployment$/m.test(doc))!;
  writeFileSync(bad, deployment.replace(/maxSurge: 1/, 'maxSurge: [1]'));
  const res = runTool(validate, ['--strict', bad]);
  assert.notEqual(res.status, 0, 'a list where a number belongs must fail validation');
});

for (const target of TARGETS) {
  describe(target, () => {
    const resources = () => rendered.get(target)!.resources;
    const ofKind = (kind: string) => resources().filter((r) => r.kind === kind);
    const deployments = () => ofKind('Deployment');
    const deployment = (name: string) => {
      const found = deployments().find((d) => d.metadata.name === name);
      assert.ok(found, `no Deployment ${name}`);
      return found;
    };
    const configMap = (prefix: string) => {
      const found = ofKind('ConfigMap').find((c) => c.metadata.name.startsWith(`${prefix}-`));
      assert.ok(found?.data, `no ConfigMap ${prefix}`);
      return found.data;
    };

    void test('a Deployment per role, running the entry point of that role', () => {
      assert.deepEqual(
        deployments()
          .map((d) => d.metadata.name)
          .sort(),
        ['auth-worker', 'chat-worker', 'gateway', 'notification-worker', 'user-worker'],
      );
      assert.deepEqual(deployment('gateway').spec!.template!.spec.containers[0]!.command, [
        'node',
        '--enable-source-maps',
        'apps/gateway/dist/main.js',
      ]);
      for (const role of WORKER_ROLES) {
        const command = deployment(`${role}-worker`).spec!.template!.spec.containers[0]!.command;
        assert.deepEqual(command?.slice(-2), ['apps/workers/dist/main.js', role]);
      }
    });

    void test('config keys are ones the processes read, secrets come from chat-secrets', () => {
      const template = parseAllDocuments(
        readFileSync(path.join(ROOT, 'deploy/k8s/secret.template.yaml'), 'utf8'),
      )[0]!.toJS() as Resource;
      for (const [prefix, schema] of [
        ['chat-gateway-config', gatewayEnvSchema],
        ['chat-worker-config', workerEnvSchema],
      ] as const) {
        const known = new Set(Object.keys(schema.shape));
        const data = configMap(prefix);
        assert.deepEqual(
          Object.keys(data).filter((k) => !known.has(k)),
          [],
          `${prefix} sets variables nobody reads`,
        );
        assert.equal(data.NODE_ENV, 'production');
        assert.ok(!Object.keys(data).some((k) => /SECRET|_URL$/.test(k) && k !== 'PUBLIC_URL'));
      }
      for (const d of deployments()) {
        const container = d.spec!.template!.spec.containers[0]!;
        const schema = d.metadata.name === 'gateway' ? gatewayEnvSchema : workerEnvSchema;
        for (const env of container.env ?? []) {
          assert.ok(env.name in schema.shape, `${d.metadata.name}: ${env.name} is read by nobody`);
          const ref = env.valueFrom?.secretKeyRef;
          assert.ok(ref, `${d.metadata.name}: ${env.name} must come from the Secret`);
          assert.equal(ref.name, 'chat-secrets');
          assert.ok(ref.key in template.stringData!, `secret.template.yaml lacks ${ref.key}`);
        }
        assert.ok(container.image && !container.image.endsWith(':latest'), 'pinned image');
      }
      assert.ok(
        Object.values(template.stringData!).every((v) => v === ''),
        'the Secret template holds no values',
      );
      assert.ok(!resources().some((r) => r.kind === 'Secret'), 'no Secret is rendered');
    });

    void test('probes, metrics and rolling updates match the processes', () => {
      const gatewayConfig = configMap('chat-gateway-config');
      const workerConfig = configMap('chat-worker-config');
      for (const d of deployments()) {
        const spec = d.spec!;
        const container = spec.template!.spec.containers[0]!;
        const isGateway = d.metadata.name === 'gateway';
        const probePort = Number(isGateway ? gatewayConfig.PORT : workerConfig.HEALTH_PORT);
        const metricsPort = Number(
          isGateway ? gatewayConfig.METRICS_PORT : workerConfig.HEALTH_PORT,
        );
        const portOf = (p: string | number | undefined) =>
          typeof p === 'number' ? p : container.ports?.find((x) => x.name === p)?.containerPort;
        assert.equal(container.livenessProbe?.httpGet?.path, '/health', d.metadata.name);
        assert.equal(container.readinessProbe?.httpGet?.path, '/ready', d.metadata.name);
        assert.equal(portOf(container.livenessProbe?.httpGet?.port), probePort);
        assert.equal(portOf(container.readinessProbe?.httpGet?.port), probePort);
        const annotations = spec.template!.metadata?.annotations ?? {};
        assert.equal(annotations['prometheus.io/scrape'], 'true');
        assert.equal(Number(annotations['prometheus.io/port']), metricsPort);
        assert.deepEqual(spec.strategy, {
          type: 'RollingUpdate',
          rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
        });
        assert.ok(container.resources?.requests?.cpu && container.resources.limits?.memory);
        // The pod's labels are what Services, PDBs, HPAs and policies select on.
        for (const [k, v] of Object.entries(spec.selector!.matchLabels!))
          assert.equal(spec.template!.metadata?.labels?.[k], v);
      }
      // The gateway gets its preStop pause, its drain and time to close before SIGKILL.
      const gateway = deployment('gateway').spec!.template!.spec;
      const preStop = Number(gateway.containers[0]!.lifecycle?.preStop?.exec?.command.at(-1));
      const drainS = Number(gatewayConfig.SHUTDOWN_DRAIN_MS) / 1000;
      assert.ok(
        gateway.terminationGracePeriodSeconds! >= preStop + drainS + 5,
        'terminationGracePeriodSeconds covers preStop + SHUTDOWN_DRAIN_MS + closing',
      );
    });

    void test('autoscalers, disruption budgets and the Service select what exists', () => {
      const names = new Set(deployments().map((d) => d.metadata.name));
      const hpas = ofKind('HorizontalPodAutoscaler');
      assert.deepEqual(hpas.map((h) => h.spec!.scaleTargetRef!.name).sort(), [
        'chat-worker',
        'gateway',
        'notification-worker',
      ]);
      for (const hpa of hpas) {
        assert.ok(names.has(hpa.spec!.scaleTargetRef!.name));
        assert.ok(hpa.spec!.minReplicas! >= 2, `${hpa.metadata.name}: at least 2 replicas`);
        if (hpa.metadata.name !== 'gateway')
          assert.ok(hpa.spec!.maxReplicas! <= 16, 'no more owners than the 16 partitions');
      }
      const matches = (selector: Record<string, string>) =>
        deployments().filter((d) =>
          Object.entries(selector).every(([k, v]) => d.spec!.template!.metadata?.labels?.[k] === v),
        );
      const pdbs = ofKind('PodDisruptionBudget');
      assert.equal(pdbs.length, names.size, 'a PodDisruptionBudget per role');
      for (const pdb of pdbs) assert.equal(matches(pdb.spec!.selector!.matchLabels!).length, 1);
      const service = ofKind('Service').find((s) => s.metadata.name === 'gateway');
      const selector = (service?.spec as { selector?: Record<string, string> })?.selector;
      assert.deepEqual(
        matches(selector ?? {}).map((d) => d.metadata.name),
        ['gateway'],
        'the Service selects the gateways only',
      );
    });

    void test('every pod may send traces to the collector the ConfigMaps name', () => {
      const endpoints = ['chat-gateway-config', 'chat-worker-config'].map(
        (prefix) => configMap(prefix).OTEL_EXPORTER_OTLP_ENDPOINT,
      );
      assert.ok(endpoints[0], 'the gateway exports traces');
      assert.equal(endpoints[1], endpoints[0], 'gateway and workers export to the same collector');
      const url = new URL(endpoints[0]);
      // <service>.<namespace>.svc…: the policy must allow that namespace, on that port.
      const namespace = url.hostname.split('.')[1];
      const policies = ofKind('NetworkPolicy') as Array<
        Resource & {
          spec: {
            podSelector: { matchLabels?: Record<string, string> };
            egress?: Array<{
              to?: Array<{ namespaceSelector?: { matchLabels?: Record<string, string> } }>;
              ports?: Array<{ port: number }>;
            }>;
          };
        }
      >;
      const allowed = policies.some(
        (p) =>
          Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 &&
          p.spec.egress?.some(
            (rule) =>
              rule.ports?.some((port) => port.port === Number(url.port)) &&
              rule.to?.some(
                (peer) =>
                  peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ===
                  namespace,
              ),
          ),
      );
      assert.ok(allowed, `no egress policy for every pod to ${namespace}:${url.port}`);
    });

    void test('only the gateway is reachable from outside', () => {
      const policies = ofKind('NetworkPolicy') as Array<
        Resource & {
          spec: {
            podSelector: { matchLabels?: Record<string, string> };
            policyTypes: string[];
            ingress?: Array<{ ports?: Array<{ port: number }> }>;
          };
        }
      >;
      const denyAll = policies.find(
        (p) =>
          Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 &&
          !p.spec.ingress &&
          p.spec.policyTypes.includes('Ingress') &&
          p.spec.policyTypes.includes('Egress'),
      );
      assert.ok(denyAll, 'a default-deny policy for the namespace');
      const metricsPort = Number(configMap('chat-worker-config').HEALTH_PORT);
      for (const policy of policies.filter((p) => p.spec.ingress)) {
        const ports = policy.spec.ingress!.flatMap((rule) => rule.ports?.map((p) => p.port) ?? []);
        const forGateway = policy.spec.podSelector.matchLabels?.['app.kubernetes.io/component'];
        assert.ok(
          ports.every((p) => p === metricsPort) || forGateway === 'gateway',
          `${policy.metadata.name} opens ${ports.join(', ')} to a pod other than the gateway`,
        );
      }
      const ingress = ofKind('Ingress')[0] as Resource & {
        metadata: { annotations: Record<string, string> };
        spec: {
          rules: Array<{
            http: { paths: Array<{ backend: { service: { name: string } } }> };
          }>;
        };
      };
      const backends = ingress.spec.rules.flatMap((r) =>
        r.http.paths.map((p) => p.backend.service.name),
      );
      assert.deepEqual([...new Set(backends)], ['gateway']);
      assert.equal(
        ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size'],
        '64k',
      );
      assert.equal(
        Number(configMap('chat-gateway-config').MAX_BODY_BYTES),
        64 * 1024,
        'the gateway and the ingress limit bodies alike',
      );
    });
  });
}

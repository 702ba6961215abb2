// docker-compose.yml, deploy/nginx.conf and deploy/Dockerfile can't be exercised here
// (no Docker in CI), so this checks they agree with each other and with the code:
// a typo in an env var name or a port silently falls back to a default at runtime.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { gatewayEnvSchema } from '../../apps/gateway/src/env.js';
import { workerEnvSchema } from '../../apps/workers/src/env.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(root + file, 'utf8');

interface Service {
  build?: string | { target?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number>; // short syntax only: a long-form entry fails the port checks
  depends_on?: string[] | Record<string, unknown>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: string[];
}

// `merge: true` resolves the `<<: *worker-env` merge keys the way Compose does.
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const nginxConf = read('deploy/nginx.conf');
const dockerfile = read('deploy/Dockerfile');

/** A service's command as argv, whichever of the two Compose syntaxes is used. */
const commandOf = (name: string): string[] => {
  const command = services[name]?.command ?? [];
  return typeof command === 'string' ? command.split(/\s+/) : command;
};

// Workers are the services running apps/workers, so ones added later are checked too.
const workers = Object.keys(services).filter((name) =>
  commandOf(name).some((arg) => arg.includes('apps/workers/')),
);
const schemaOf = {
  gateway: gatewayEnvSchema,
  ...Object.fromEntries(workers.map((w) => [w, workerEnvSchema])),
};

/** Environment as a map, whichever of the two Compose syntaxes is used. */
function envOf(name: string): Record<string, string> {
  const env = services[name]?.environment ?? {};
  const pairs: Array<[string, string]> = Array.isArray(env)
    ? env.map((line) => [line.split('=')[0]!, line.slice(line.indexOf('=') + 1)])
    : Object.entries(env).map(([k, v]) => [k, String(v ?? '')]);
  return Object.fromEntries(pairs);
}

/** The port a healthcheck probes on 127.0.0.1/localhost. */
function healthcheckPort(name: string): number {
  const probe = [services[name]?.healthcheck?.test ?? []].flat().join(' ');
  const match = /(?:127\.0\.0\.1|localhost):(\d+)/.exec(probe);
  assert.ok(match, `${name}: healthcheck does not probe a local port: ${probe}`);
  return Number(match[1]);
}

/** The host a healthcheck probes (127.0.0.1 or localhost). */
function healthcheckHost(name: string): string {
  const probe = [services[name]?.healthcheck?.test ?? []].flat().join(' ');
  return /(127\.0\.0\.1|localhost):\d+/.exec(probe)?.[1] ?? '';
}

void test('every env var an app service sets is one its schema reads', () => {
  for (const [name, schema] of Object.entries(schemaOf)) {
    assert.ok(services[name], `service ${name} is missing`);
    const known = new Set(Object.keys(schema.shape));
    const unknown = Object.keys(envOf(name)).filter((key) => !known.has(key));
    assert.deepEqual(unknown, [], `${name} sets variables its schema ignores`);
    // Production must never run on values committed to the repository.
    assert.equal(envOf(name).NODE_ENV, 'production', `${name}: NODE_ENV`);
    for (const [key, value] of Object.entries(envOf(name))) {
      if (key.endsWith('_SECRET'))
        assert.match(value, /^\$\{\w+[:?-]/, `${name}: ${key} must be interpolated, not a literal`);
    }
  }
});

void test('every service has a healthcheck', () => {
  for (const [name, service] of Object.entries(services)) {
    const probe = [service.healthcheck?.test ?? []].flat();
    assert.ok(probe.length > 0 && !service.healthcheck?.disable, `${name} has no healthcheck`);
    assert.notEqual(probe[0], 'NONE', `${name} disables its healthcheck`);
  }
});

void test('ports agree between compose, nginx and the healthchecks', () => {
  const gatewayPort = Number(envOf('gateway').PORT);
  assert.ok(gatewayPort > 0, 'gateway must set PORT');

  // nginx must proxy to the compose service `gateway` on that port.
  const upstream = /upstream\s+\w+\s*\{[^}]*?\bserver\s+([\w.-]+):(\d+)/.exec(nginxConf);
  assert.ok(upstream, 'no upstream server in deploy/nginx.conf');
  assert.equal(upstream[1], 'gateway', 'nginx upstream host must be the compose service name');
  assert.equal(Number(upstream[2]), gatewayPort, 'nginx upstream port vs gateway PORT');
  assert.equal(healthcheckPort('gateway'), gatewayPort, 'gateway healthcheck port vs PORT');

  for (const name of workers) {
    const healthPort = Number(envOf(name).HEALTH_PORT);
    assert.ok(healthPort > 0, `${name} must set HEALTH_PORT (0 = no health server)`);
    assert.equal(healthcheckPort(name), healthPort, `${name}: healthcheck port vs HEALTH_PORT`);
    // The health server listens where HEALTH_HOST says (schema default: loopback only); the
    // in-container probe must reach it there.
    const healthHost = workerEnvSchema.shape.HEALTH_HOST.parse(envOf(name).HEALTH_HOST);
    if (healthHost !== '0.0.0.0' && healthHost !== '::')
      assert.equal(
        healthcheckHost(name),
        healthHost,
        `${name}: the healthcheck probes an address the health server (HEALTH_HOST=${healthHost}) does not listen on`,
      );
  }

  // nginx answers the web healthcheck on the port it listens on.
  const listen = /^\s*listen\s+(\d+)\s*;/m.exec(nginxConf);
  assert.ok(listen, 'no `listen <port>;` in deploy/nginx.conf');
  assert.equal(healthcheckPort('web'), Number(listen[1]), 'web healthcheck port vs nginx listen');
  assert.ok(
    services.web?.ports?.includes(`8080:${listen[1]}`),
    'web must publish host port 8080 to nginx',
  );

  // tools/stack runs `docker compose up -d mongo redis rabbitmq` and then connects to
  // these ports on 127.0.0.1; publishing them more widely would expose unauthenticated servers.
  const expected = { mongo: [27017], redis: [6379], rabbitmq: [5672, 15672] };
  for (const [name, ports] of Object.entries(expected)) {
    for (const port of ports) {
      assert.ok(
        services[name]?.ports?.includes(`127.0.0.1:${port}:${port}`),
        `${name} must publish 127.0.0.1:${port}:${port}`,
      );
    }
    for (const mapping of services[name]?.ports ?? []) {
      assert.match(
        String(mapping),
        /^127\.0\.0\.1:/,
        `${name} publishes ${String(mapping)} beyond localhost`,
      );
    }
  }
});

void test('depends_on and build targets name things that exist', () => {
  const stages = new Set(
    [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]!.toLowerCase()),
  );
  for (const [name, service] of Object.entries(services)) {
    const deps = Array.isArray(service.depends_on)
      ? service.depends_on
      : Object.keys(service.depends_on ?? {});
    for (const dep of deps) assert.ok(services[dep], `${name} depends on unknown service ${dep}`);

    const target = typeof service.build === 'object' ? service.build.target : undefined;
    if (typeof service.build === 'object')
      assert.ok(target, `${name}: build without target builds the last stage`);
    if (target)
      assert.ok(
        stages.has(target.toLowerCase()),
        `${name}: no stage "${target}" in deploy/Dockerfile`,
      );
  }
});

/** The source file a built script (apps/x/dist/main.js) is compiled from. */
const sourceOf = (script: string) => script.replace('/dist/', '/src/').replace(/\.js$/, '.ts');

void test('every entry point the images run exists', () => {
  // The gateway runs the runtime image's default CMD.
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile);
  assert.ok(cmd, 'deploy/Dockerfile has no exec-form CMD');
  const gatewayScript = (JSON.parse(cmd[1]!) as string[]).find((arg) => arg.endsWith('.js'));
  assert.equal(gatewayScript, 'apps/gateway/dist/main.js');
  assert.ok(
    existsSync(root + sourceOf(gatewayScript)),
    `${sourceOf(gatewayScript)} does not exist`,
  );

  assert.deepEqual(
    [...workers].sort(),
    ['auth-worker', 'chat-worker', 'notification-worker', 'user-worker'],
    'every worker role runs in compose',
  );
  for (const name of workers) {
    const command = commandOf(name);
    const script = command.find((arg) => arg.endsWith('.js'));
    assert.ok(script, `${name}: command runs no script: ${command.join(' ')}`);
    const source = sourceOf(script);
    assert.ok(
      existsSync(root + source),
      `${name}: ${source} (built into ${script}) does not exist`,
    );
    // The role argument (auth, user, ...) must be one main.ts knows: it names it somewhere.
    const role = command.at(-1)!;
    assert.match(role, /^[a-z]+$/, `${name}: command must end with the worker role, not "${role}"`);
    assert.match(
      readFileSync(root + source, 'utf8'),
      new RegExp(`\\b${role}\\b`),
      `${source} never mentions "${role}"`,
    );
  }
});

void test('redis keeps an append-only file fsynced every second, like tools/stack', () => {
  // The event logs live in Redis: with snapshots only, a crash lost minutes of them (issue 7).
  const command = commandOf('redis');
  const option = (name: string) => command[command.indexOf(`--${name}`) + 1];
  assert.equal(command[0], 'redis-server', `redis must run redis-server: ${command.join(' ')}`);
  assert.equal(option('appendonly'), 'yes', 'redis must run with --appendonly yes');
  assert.equal(option('appendfsync'), 'everysec', 'redis must run with --appendfsync everysec');
  const stack = read('tools/stack/local.mjs');
  assert.match(stack, /'--appendonly',\s*'yes',\s*'--appendfsync',\s*'everysec'/);
});

void test('the apps export traces to the collector service, on the port its config receives', () => {
  const collector = services['otel-collector'];
  assert.ok(collector, 'no otel-collector service');
  const config = parse(read('deploy/otel-collector.yaml')) as {
    receivers: { otlp: { protocols: { http: { endpoint: string } } } };
    service: { pipelines: { traces: { receivers: string[] } } };
  };
  assert.ok(config.service.pipelines.traces.receivers.includes('otlp'));
  const port = config.receivers.otlp.protocols.http.endpoint.split(':').at(-1);
  // The mounted file is the one the image reads by default.
  assert.ok(
    collector.volumes?.includes('./deploy/otel-collector.yaml:/etc/otelcol/config.yaml:ro'),
  );
  for (const name of Object.keys(schemaOf))
    assert.equal(envOf(name).OTEL_EXPORTER_OTLP_ENDPOINT, `http://otel-collector:${port}`, name);
});

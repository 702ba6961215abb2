// Keeps `npm start`'s services running. Node built-ins only (runs before dependencies exist).

/**
 * Supervises long-running child processes. A service that exits while not being stopped is
 * restarted after an exponential backoff (1 s, 2 s, 4 s … up to 30 s, counted over its crashes
 * in the last `windowMs`), and the log says so. A service that crashes `maxCrashes` times
 * within `windowMs` is crash-looping: restarting it again would only hide that, so
 * `onGiveUp` is called (npm start then stops everything and says why).
 *
 * @param {{
 *   log?: (line: string) => void,
 *   onGiveUp: (name: string, reason: string) => void,
 *   baseDelayMs?: number,
 *   maxDelayMs?: number,
 *   maxCrashes?: number,
 *   windowMs?: number,
 * }} options
 */
export function createSupervisor({
  log = (line) => console.error(line),
  onGiveUp,
  baseDelayMs = 1_000,
  maxDelayMs = 30_000,
  maxCrashes = 5,
  windowMs = 60_000,
}) {
  /** @type {Map<string, { start: () => import('node:child_process').ChildProcess, child: import('node:child_process').ChildProcess | null, crashes: number[], timer: NodeJS.Timeout | null, restarts: number }>} */
  const services = new Map();
  let stopping = false;
  let gaveUp = false;

  const describeExit = (code, signal) => (signal ? `signal ${signal}` : `code ${code}`);

  function launch(name) {
    const service = services.get(name);
    const child = service.start();
    service.child = child;
    child.once('exit', (code, signal) => {
      if (stopping || service.child !== child) return;
      service.child = null;
      const now = Date.now();
      service.crashes = service.crashes.filter((at) => now - at < windowMs);
      service.crashes.push(now);
      const crashes = service.crashes.length;
      if (crashes >= maxCrashes) {
        gaveUp = true;
        onGiveUp(
          name,
          `${name} exited (${describeExit(code, signal)}) ${crashes} times within ${Math.round(windowMs / 1000)} s`,
        );
        return;
      }
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (crashes - 1));
      log(
        `✖ ${name} exited (${describeExit(code, signal)}); restarting in ${formatDelay(delay)} (crash ${crashes} of ${maxCrashes} allowed within ${Math.round(windowMs / 1000)} s)`,
      );
      service.timer = setTimeout(() => {
        service.timer = null;
        if (stopping) return;
        service.restarts++;
        log(`↻ restarting ${name}`);
        launch(name);
      }, delay);
    });
  }

  return {
    /** Starts `name` with `start()` (which spawns and returns the child) and keeps it up. */
    add(name, start) {
      services.set(name, { start, child: null, crashes: [], timer: null, restarts: 0 });
      launch(name);
    },
    /**
     * The service as waitReady sees a child: `exitCode` stays null while it is supervised
     * (a crash is restarted), and becomes 1 once given up on.
     */
    handle(name) {
      return {
        get exitCode() {
          return gaveUp || stopping ? 1 : null;
        },
        get child() {
          return services.get(name)?.child ?? null;
        },
      };
    },
    restarts(name) {
      return services.get(name)?.restarts ?? 0;
    },
    /** Stops supervising and stops every service with `stop(child)`. */
    async stopAll(stop) {
      stopping = true;
      for (const service of services.values()) if (service.timer) clearTimeout(service.timer);
      await Promise.all(
        [...services.values()].map((s) => (s.child ? stop(s.child) : Promise.resolve())),
      );
    },
  };
}

const formatDelay = (ms) =>
  ms < 1_000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`;

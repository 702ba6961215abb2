/**
 * Everything the benchmark starts registers how to undo it here; it all runs, newest
 * first, on normal exit, on failure, and on Ctrl-C / SIGTERM (a second signal forces exit).
 */
type Undo = { what: string; run: () => Promise<void> | void };

const undos: Undo[] = [];
let running: Promise<void> | null = null;

export function onCleanup(what: string, run: Undo['run']): () => void {
  const undo = { what, run };
  undos.push(undo);
  return () => {
    const i = undos.indexOf(undo);
    if (i >= 0) undos.splice(i, 1);
  };
}

/** Runs every registered undo once (each bounded to 60 s); errors are printed, not thrown. */
export function cleanUpAll(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const undo = undos.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(undo.run),
          new Promise<void>((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out after 60 s')), 60_000);
          }),
        ]);
      } catch (err) {
        console.error(`  ! clean-up "${undo.what}" failed: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  return running;
}

/** On SIGINT/SIGTERM: clean up, then exit 130/143; a second signal exits at once. */
export function cleanUpOnSignals(): void {
  let signalled = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      if (signalled) process.exit(code);
      signalled = true;
      console.error(`\n${signal}: stopping and cleaning up (again to force)…`);
      void cleanUpAll().finally(() => process.exit(code));
    });
  }
}

import { watch, type FSWatcher } from 'node:fs';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Calls `onChange` (debounced) when a file under the given paths changes; returns a stopper. */
export function watchPaths(paths: readonly string[], onChange: () => void, debounceMs = 300): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
    timer.unref();
  };
  for (const p of paths) {
    let target = p;
    try {
      if (!statSync(p).isDirectory()) target = dirname(p);
    } catch {
      continue;
    }
    try {
      const w = watch(target, { recursive: true, persistent: false }, (_event, name) => {
        if (name === null || /\.(ya?ml)$/i.test(String(name))) fire();
      });
      watchers.push(w);
    } catch {
      // A folder we cannot watch still reloads on SIGHUP and POST /-/reload.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}

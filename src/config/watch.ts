import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Config, ConfigProblem } from './config.ts';
import { loadConfigFile, type Environment } from './load.ts';

/**
 * Re-reads the config file when it changes. Editors and our own writer replace the file by rename,
 * so the directory is watched, not the file. A bad edit keeps the last good config.
 */
export function watchConfigFile(
  path: string,
  env: Environment,
  handlers: { onConfig(config: Config, problems: ConfigProblem[]): void; onRejected(problems: ConfigProblem[]): void },
): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const reload = async () => {
    const { config, problems } = await loadConfigFile(path, env);
    if (config) handlers.onConfig(config, problems);
    else handlers.onRejected(problems);
  };
  try {
    watcher = watch(dirname(path), (_event, file) => {
      if (file !== null && file !== basename(path)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 100); // one reload per burst of writes
    });
    watcher.unref();
  } catch {
    // A directory that cannot be watched only loses hot reload.
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

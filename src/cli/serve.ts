import { mkdir } from 'node:fs/promises';
import type { Config, ConfigProblem } from '../config/config.ts';
import { existsSync } from 'node:fs';
import { savedConfigPath } from '../admin/config-editor.ts';
import { defaultConfigDocument, defaultDataDir, loadConfigFile, loadConfigObject } from '../config/load.ts';
import { watchConfigFile } from '../config/watch.ts';
import { createLogger } from '../logger.ts';
import { openRecording } from '../recording/open-recording.ts';
import { createGateway, createHttpServer, parseListen } from '../server.ts';

/** `tailgate serve [--config FILE] [--listen HOST:PORT]` */
export async function serve(flags: Record<string, string | true>): Promise<number> {
  const env = process.env;
  const logger = createLogger();
  // Without --config, a config saved from the web UI earlier (<data_dir>/tailgate.hujson) is used.
  const saved = savedConfigPath(env.TAILGATE_DATA_DIR ?? defaultDataDir);
  const path = typeof flags.config === 'string' ? flags.config : (env.TAILGATE_CONFIG ?? (existsSync(saved) ? saved : undefined));
  const loaded = path ? await loadConfigFile(path, env) : loadConfigObject(defaultConfigDocument(env), env);
  const report = (problems: ConfigProblem[]) => {
    for (const problem of problems) logger[problem.severity === 'error' ? 'error' : 'warn']({ config: path ?? 'default' }, problem.message);
  };
  report(loaded.problems);
  if (!loaded.config) {
    logger.flush();
    console.error(`tailgate: config ${path ?? '(default)'} has errors; not starting`);
    return 1;
  }
  const config: Config = loaded.config;
  if (!path) {
    const providers = config.providers.map((provider) => provider.id);
    logger.info(
      { providers, data_dir: config.dataDir },
      `no config file: using the default (providers from ${providers.length ? providers.join(', ') : 'no API-key variables — set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY'}; the loopback caller is admin with every model)`,
    );
  }
  await mkdir(config.dataDir, { recursive: true });
  let current = config;
  const recording = await openRecording(() => current, logger);
  const gateway = await createGateway(config, recording.recorder, recording.store, { configPath: path, env, recordingStats: recording.stats, onApplied: (next) => void (current = next) });
  const server = createHttpServer(gateway);
  const listen = typeof flags.listen === 'string' ? flags.listen : (env.TAILGATE_LISTEN ?? config.listen ?? '127.0.0.1:8080');
  const { host, port } = parseListen(listen);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  logger.info({ listen: `${host}:${port}` }, 'tailgate listening');
  logger.flush(); // the start-up lines now, not with the next 4 KiB of access log

  const watcher = path
    ? watchConfigFile(path, env, {
        onConfig(next, problems) {
          report(problems);
          gateway.setConfig(next).then(
            () => {
              current = next;
              logger.info({ config: path }, 'config reloaded');
            },
            (error: Error) => logger.error({ config: path, err: error.message }, 'config change rejected; keeping the last good config'),
          );
        },
        onRejected(problems) {
          report(problems);
          logger.error({ config: path }, 'config change rejected; keeping the last good config');
        },
      })
    : undefined;

  // Drain: stop accepting, let running streams finish (bounded), then leave.
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    watcher?.close();
    server.close(() => void Promise.all([gateway.close(), recording.close()]).finally(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 30_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return 0;
}

/**
 * `npm start`: configuration from the environment (and an optional config
 * file), the built web app and the API on PORT (default 8000), graceful
 * shutdown on SIGTERM/SIGINT.
 */
import * as path from 'node:path';
import { loadConfig, type ServerConfig } from './config';
import { createLogger } from './logger';
import { startServer, type RunningServer } from './start';

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(process.env, { defaultWebDir: path.resolve(__dirname, '../../web/dist') });
  } catch (error) {
    fatal(error);
    return;
  }
  const log = createLogger({ level: config.logLevel });
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: (reason as Error)?.message ?? String(reason) }));
  let running: RunningServer;
  try {
    running = await startServer({ config, logger: log });
  } catch (error) {
    fatal(error);
    return;
  }
  log.info('notebook server listening', {
    // With the access token on, the URL carries it: the first visit turns it into a cookie.
    url: running.openUrl,
    storage: config.storage,
    auth: config.auth,
    web: config.webDir ?? 'not built (npm run build)',
    ...(config.file ? { configFile: config.file } : {}),
  });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.error('shutdown took too long: exiting');
      process.exit(1);
    }, (config.shutdownGraceSeconds + 15) * 1000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error: (error as Error)?.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

function fatal(error: unknown): void {
  const message = (error as Error)?.message ?? String(error);
  process.stderr.write(`The notebook server could not start.\n${message}\n`);
  // Plugins may have left handles open (a kernel pool, a database client): do not wait for them.
  process.exit(1);
}

void main();

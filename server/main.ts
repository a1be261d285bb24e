import { readFileSync } from 'node:fs';
import { ConfigError, loadProcessConfig } from '../config/index.ts';
import { createLogger } from './lib/log.ts';
import { MODULES } from './modules-list.ts';
import { startSystem } from './system.ts';

let config;
try {
  config = loadProcessConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger({ level: config.logLevel });
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

// Listening before the whole boot is done (workers still joining their groups), the server can be told to
// stop meanwhile: the signal is handled from the first moment, and the stop waits for the boot.
const booting = startSystem({ config, logger, modules: MODULES, version }).catch((error: unknown) => {
  logger.fatal({ err: error }, 'boot failed');
  process.exit(1);
});

let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals++;
  if (signals > 1) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  logger.info({ signal }, 'signal received');
  const force = setTimeout(() => {
    logger.error('shutdown timed out: exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  booting
    .then((system) => system.stop())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

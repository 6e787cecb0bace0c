import { ConfigError, loadSettings } from './config/load';
import { Settings } from './config/settings';
import { createLogger, describeError } from './logger';
import { createService } from './service';

/** What `make` returns, or exit 1 naming the bad setting (or the unreadable AUTH_TOKENS_FILE). */
function orExit<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`fas: ${err.message}\n`);
    process.exit(1);
  }
}

const settings: Settings = orExit(() => loadSettings());
const logger = createLogger(settings.logLevel);
const service = orExit(() => createService(settings, logger));

process.on('uncaughtException', (err) => {
  logger.error('uncaught exception', describeError(err));
  process.exit(1);
});

service.start();
service.server.listen(settings.port, settings.host, () => {
  logger.info('listening', { host: settings.host, port: settings.port });
});
service.hopServer?.listen(settings.hopPort, settings.host, () => {
  logger.info('listening for other members', { host: settings.host, port: settings.hopPort });
});
service.metricsServer?.listen(settings.metricsPort, settings.host, () => {
  logger.info('metrics listening', { host: settings.host, port: settings.metricsPort });
});

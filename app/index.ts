import { ConfigError, loadSettings } from './config/load';
import { Settings } from './config/settings';
import { createLogger, describeError } from './logger';
import { createService } from './service';

function settingsOrExit(): Settings {
  try {
    return loadSettings();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`fas: ${err.message}\n`);
    process.exit(1);
  }
}

const settings = settingsOrExit();
const logger = createLogger(settings.logLevel);
const service = createService(settings, logger);

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

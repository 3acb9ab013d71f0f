import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { createPino, PinoLoggerService } from './common/logging/pino-logger';
import { ConfigError, loadConfig } from './config/load-config';
import { resolveDatabase } from './database/resolve-database';
import { waitForRedis } from './jobs/redis-connection';
import { onShutdownSignal } from './shutdown';

/** Runs only the job side: outbox relay and, with Redis, the BullMQ workers. No HTTP. */
async function main(): Promise<void> {
  const config = loadConfig();
  config.queue.runWorker = true;
  const log = createPino(config.app);
  if (!config.queue.redisUrl) {
    log.warn('REDIS_URL is not set: this worker runs jobs in-process from the outbox only');
  } else {
    // A worker can do nothing without Redis: it starts once Redis answers, so that Redis's settings
    // are checked at its start (the API, which serves without Redis, checks them when Redis returns).
    await waitForRedis(
      config.queue.redisUrl,
      config.queue.connectTimeoutMs,
      config.queue.commandTimeoutMs,
      (reason) => log.warn({ err: reason }, 'waiting for Redis before starting'),
    );
  }
  const database = await resolveDatabase(config, log);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, database.url), {
    logger: new PinoLoggerService(log),
  });
  await app.init();
  onShutdownSignal(log, async () => {
    // Closing waits for the jobs in progress before the queues disconnect.
    await app.close();
    await database.stop();
  });
  log.info({ redis: Boolean(config.queue.redisUrl) }, 'worker started');
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : `Worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

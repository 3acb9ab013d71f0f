import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { createPino, PinoLoggerService } from './common/logging/pino-logger';
import { ConfigError, loadConfig } from './config/load-config';
import { resolveDatabase } from './database/resolve-database';
import { UnsafeDeploymentError } from './health/boot-checks';
import { RedisSettings } from './jobs/redis-settings';
import { onShutdownSignal } from './shutdown';

/** Runs only the job side: outbox relay and, with Redis, the BullMQ workers. No HTTP. */
async function main(): Promise<void> {
  const config = loadConfig();
  config.queue.runWorker = true;
  const log = createPino(config.app);
  if (!config.queue.redisUrl) {
    log.warn('REDIS_URL is not set: this worker runs jobs in-process from the outbox only');
  }
  const database = await resolveDatabase(config, log);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, database.url), {
    logger: new PinoLoggerService(log),
  });
  await app.init();
  const close = async (): Promise<void> => {
    // Closing waits for the jobs in progress before the queues disconnect.
    await app.close();
    await database.stop();
  };
  onShutdownSignal(log, close);
  if (config.queue.redisUrl) {
    // A worker can do nothing without Redis: it waits for it, and in production refuses one whose
    // settings could lose jobs, however late it learns them (the API serves on and hands it none).
    const problems = await app
      .get(RedisSettings, { strict: false })
      .settled(() => log.warn('waiting for Redis; jobs wait in the outbox meanwhile'));
    if (problems.length > 0 && config.app.nodeEnv === 'production') {
      await close();
      throw new UnsafeDeploymentError(problems);
    }
  }
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

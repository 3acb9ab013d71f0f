import 'reflect-metadata';
import { FirstAdmin } from './auth/first-admin';
import { API_PREFIX, createHttpApp } from './bootstrap';
import { createPino } from './common/logging/pino-logger';
import { ConfigError, loadConfig } from './config/load-config';
import { resolveDatabase } from './database/resolve-database';
import { onShutdownSignal } from './shutdown';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createPino(config.app);
  const database = await resolveDatabase(config, log);
  try {
    const app = await createHttpApp(config, database.url, log);
    onShutdownSignal(log, async () => {
      await app.close();
      await database.stop();
    });
    await app.listen({ port: config.app.port, host: config.app.host });
    const base = `http://${config.app.host === '0.0.0.0' ? 'localhost' : config.app.host}:${config.app.port}`;
    const hint = app.get(FirstAdmin).loginHint;
    process.stdout.write(
      `\nAPI:       ${base}/${API_PREFIX}\nAPI docs:  ${base}/api/docs\nHealth:    ${base}/health\n` +
        (hint ? `${hint}\n` : '') +
        '\n',
    );
  } catch (error) {
    await database.stop().catch(() => undefined);
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});

import './register-paths';
import { adminQuery, ServerHandle } from 'src/database/server-url';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__testServer as ServerHandle | undefined;
  const template = process.env.TEST_PG_TEMPLATE;
  if (server && template) {
    await adminQuery(server.adminUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  }
  await server?.embedded?.stop();
}

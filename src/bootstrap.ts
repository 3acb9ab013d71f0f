import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module';
import { createHttpAdapter } from './common/http/http-adapter';
import { depthLimitedJsonParser } from './common/http/json-body-parser';
import { refuseMalformedText } from './common/http/well-formed-text.hook';
import { createValidationPipe } from './common/validation/validation.pipe';
import { PinoLoggerService } from './common/logging/pino-logger';
import type { Config } from './config/config.types';
import { MAX_UPLOAD_BYTES } from './members/upload';

export const API_PREFIX = 'api/v1';

/** Builds the HTTP application (not yet listening); tests use the very same function. */
export async function createHttpApp(
  config: Config,
  databaseUrl: string,
  log: Pino,
): Promise<NestFastifyApplication> {
  const adapter = createHttpAdapter({
    loggerInstance: log,
    // Per-request lines only at debug level: casting is the hot path.
    logController: new LogController({
      disableRequestLogging: config.app.logLevel !== 'debug' && config.app.logLevel !== 'trace',
    }),
    bodyLimit: config.app.bodyLimitBytes,
    trustProxy: config.app.trustProxy.length > 0 ? config.app.trustProxy : false,
    // Keys such as __proto__ and constructor.prototype are refused outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, databaseUrl),
    adapter,
    {
      logger: new PinoLoggerService(log),
      bufferLogs: false,
    },
  );
  // Nest's own security headers (helmet's defaults) also reach the router's refusals.
  app.useSecurityHeaders({ contentSecurityPolicy: false });
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });
  const fastify = app.getHttpAdapter().getInstance();
  app.useBodyParser(
    'application/json',
    { bodyLimit: config.app.bodyLimitBytes },
    depthLimitedJsonParser(fastify),
  );
  fastify.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: MAX_UPLOAD_BYTES },
    (_req, body, done) => done(null, body),
  );
  fastify.addHook('preValidation', refuseMalformedText);
  if (config.app.corsOrigins.length > 0) {
    app.enableCors({ origin: config.app.corsOrigins });
  }
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health'] });
  app.useGlobalPipes(createValidationPipe());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Association awards and elections')
      .setDescription(
        'Award programs, juries, general-meeting elections, secret ballots and verifiable results.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document);
  return app;
}

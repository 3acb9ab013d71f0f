import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import type { HTTPMethods } from 'fastify';
import { AccessPolicy, POLICY_KEY } from 'src/common/auth/policy.decorators';

export interface AppRoute {
  /** Controller.method, for messages. */
  handler: string;
  method: HTTPMethods;
  /** The path as Fastify registered it, with `:param` placeholders. */
  path: string;
  policy: AccessPolicy | undefined;
}

/** A syntactically valid v4 uuid that matches no row. */
export const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

function joinPath(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
  return `/${joined}`;
}

/**
 * Every route Nest registered, read from the controllers' metadata (so a route added by a later
 * module is covered without touching the tests), with the access policy the guard will apply.
 * Each path is checked against Fastify's router, so a path computed wrongly fails loudly.
 */
export function collectRoutes(app: NestFastifyApplication, globalPrefix: string): AppRoute[] {
  const discovery = app.get(DiscoveryService, { strict: false });
  const scanner = app.get(MetadataScanner, { strict: false });
  const reflector = app.get(Reflector, { strict: false });
  const fastify = app.getHttpAdapter().getInstance();
  const routes: AppRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || !wrapper.metatype) {
      continue;
    }
    const controller = wrapper.metatype as object;
    const rawBase = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
    const bases = Array.isArray(rawBase) ? rawBase : [rawBase ?? '/'];
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const fn = instance[name] as object;
      const rawPath = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
      const methodCode = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
      if (rawPath === undefined || methodCode === undefined) {
        continue;
      }
      const method = RequestMethod[methodCode] as HTTPMethods & keyof typeof RequestMethod;
      const policy = reflector.getAllAndOverride<AccessPolicy | undefined>(POLICY_KEY, [
        fn as () => unknown,
        controller as () => unknown,
      ]);
      for (const base of bases) {
        for (const sub of Array.isArray(rawPath) ? rawPath : [rawPath]) {
          const candidates = [joinPath(globalPrefix, base, sub), joinPath(base, sub)];
          const path = candidates.find((url) => fastify.hasRoute({ method, url }));
          if (path === undefined) {
            throw new Error(
              `${wrapper.name}.${name}: none of ${candidates.join(', ')} is registered`,
            );
          }
          routes.push({ handler: `${wrapper.name}.${name}`, method, path, policy });
        }
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/** The route's path with every parameter replaced by a placeholder uuid. */
export function concretePath(route: AppRoute): string {
  return route.path.replace(/:[A-Za-z0-9_]+/g, PLACEHOLDER_ID);
}

/** Where SwaggerModule serves the document the application builds. */
export const OPENAPI_JSON_URL = '/api/docs-json';

export interface DocumentedRoute {
  method: HTTPMethods;
  /** The path in Fastify's form, `{id}` written as `:id`. */
  path: string;
  operation: OperationObject;
}

const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** The OpenAPI document exactly as the running application serves it. */
export async function openApiDocument(app: NestFastifyApplication): Promise<OpenAPIObject> {
  const res = await app
    .getHttpAdapter()
    .getInstance()
    .inject({ method: 'GET', url: OPENAPI_JSON_URL });
  if (res.statusCode !== 200) {
    throw new Error(`${OPENAPI_JSON_URL} answered ${res.statusCode}`);
  }
  return res.json<OpenAPIObject>();
}

/** Every operation of the document, read at run time, so a route added anywhere is included. */
export function documentedRoutes(document: OpenAPIObject): DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of OPERATION_METHODS) {
      const operation = item[method];
      if (operation) {
        routes.push({
          method: method.toUpperCase(),
          path: path.replace(/\{([^}]+)\}/g, ':$1'),
          operation,
        });
      }
    }
  }
  return routes;
}

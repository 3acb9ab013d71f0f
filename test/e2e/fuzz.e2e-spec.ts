import type {
  OpenAPIObject,
  ParameterObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger';
import type { InjectOptions } from 'fastify';
import * as argon2 from 'argon2';
import { AuthService } from 'src/auth/auth.service';
import { PasswordHasher } from 'src/auth/password-hasher';
import { UsersRepository } from 'src/auth/users.repository';
import { API_PREFIX } from 'src/bootstrap';
import { ELECTION_CONTEST } from 'src/elections/elections.service';
import { AWARD_ROUND_CONTEST } from 'src/awards/rounds.service';
import {
  AppRoute,
  collectRoutes,
  DocumentedRoute,
  documentedRoutes,
  openApiDocument,
} from '../support/routes';
import { startTestApp, TestApp } from '../support/test-app';
import { juryEdition, newUser } from './awards.fixtures';
import { cast, closeAndTally, draftElection, newVoters, openElection } from './elections.fixtures';

jest.setTimeout(180_000);

/** Fixed, so a failure can be replayed; FUZZ_SEED=<n> explores another sequence. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_208);
/** At least this many requests, and at least PER_ROUTE_AND_CALLER for each route and caller. */
const MIN_REQUESTS = 10_000;
const PER_ROUTE_AND_CALLER = 24;
/** A request that takes longer than this is reported as a stall. */
const STALL_MS = 10_000;
const CALLERS = ['anonymous', 'member', 'jury', 'admin'] as const;
type Caller = (typeof CALLERS)[number];

type Schema = SchemaObject | ReferenceObject;
type Rng = () => number;

/** mulberry32: small, fast and the same on every machine. */
function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A piece of JSON text sent as it is: what JSON.stringify cannot produce. */
class Raw {
  constructor(readonly json: string) {}
}

function serialize(value: unknown): string {
  if (value instanceof Raw) {
    return value.json;
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : serialize(v))).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const nested = (depth: number): Raw => new Raw('['.repeat(depth) + ']'.repeat(depth));
const nestedObject = (depth: number): Raw =>
  new Raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

/** Values put in place of a field. */
const HOSTILE_VALUES: unknown[] = [
  null,
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\udc00\ud800',
  'x'.repeat(10_000),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '😀',
  '%00',
  '2026-02-30T25:61:00Z',
  '00000000-0000-0000-0000-000000000000',
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  new Raw('1e400'),
  new Raw('-0'),
  true,
  [],
  {},
  [null],
  ['\u0000'],
  { '\u0000': 1 },
  new Raw('{"__proto__":{"isAdmin":true}}'),
  { constructor: { prototype: { isAdmin: true } } },
  { toString: 1, hasOwnProperty: 'x' },
  nested(40),
  nested(3_000),
  nestedObject(200),
];

/** Whole bodies. */
const HOSTILE_BODIES: Raw[] = [
  new Raw('null'),
  new Raw('[]'),
  new Raw('"text"'),
  new Raw('1'),
  new Raw('{}'),
  new Raw(''),
  new Raw('{"a":'),
  new Raw('{"a":1}garbage'),
  new Raw('{"__proto__":{"isAdmin":true}}'),
  new Raw('{"constructor":{"prototype":{"isAdmin":true}}}'),
  nested(5_000),
  nested(100_000),
  nestedObject(5_000),
];

const UNKNOWN_KEYS = [
  'isAdmin',
  'id',
  'createdAt',
  'constructor',
  'prototype',
  'toString',
  '\u0000',
];

/** Query values, already URL-encoded (some on purpose malformed). */
const HOSTILE_QUERY = [
  '%00',
  'a%00b',
  '1e308',
  '-1e308',
  '-1',
  '1.5',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  'x'.repeat(2_000),
  '%ED%A0%80',
  '%',
  '%3Cscript%3E',
  '',
  'true',
  '00000000-0000-4000-8000-000000000000',
];

/** Path segments, already URL-encoded (some on purpose malformed). */
const HOSTILE_PATH = [
  '%00',
  'a%00b',
  'x'.repeat(150),
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '%E0%A4%A',
  '%ED%A0%80',
  '..',
  '%2F..%2F',
  '1e308',
  '-1',
  '%20',
  '%F0%9F%98%80',
  '00000000-0000-0000-0000-000000000000',
  'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA',
  '__proto__',
  'constructor',
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Real ids and tokens seen in answers, by the noun they belong to. */
class Pools {
  private readonly byNoun = new Map<string, string[]>();
  readonly all: string[] = [];

  constructor(private readonly reserved: Set<string>) {}

  add(noun: string, value: string): void {
    if (this.reserved.has(value)) {
      return;
    }
    const list = this.byNoun.get(noun) ?? [];
    if (!list.includes(value)) {
      list.push(value);
      if (list.length > 50) {
        list.shift();
      }
      this.byNoun.set(noun, list);
    }
    if (UUID.test(value) && !this.all.includes(value)) {
      this.all.push(value);
      if (this.all.length > 500) {
        this.all.shift();
      }
    }
  }

  get(noun: string): string[] {
    return this.byNoun.get(noun) ?? [];
  }

  /** Walks an answer; a key `id` belongs to the noun of the collection around it. */
  harvest(value: unknown, noun: string, depth = 0): void {
    if (depth > 6) {
      return;
    }
    if (Array.isArray(value)) {
      value.slice(0, 50).forEach((v) => this.harvest(v, noun, depth + 1));
      return;
    }
    if (typeof value !== 'object' || value === null) {
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && v.length <= 200) {
        if (key === 'id') {
          this.add(noun, v);
        } else if (UUID.test(v) || /token|receipt/i.test(key)) {
          this.add(nounOfField(key), v);
        }
      } else {
        this.harvest(v, singular(key), depth + 1);
      }
    }
  }
}

const singular = (word: string): string => word.toLowerCase().replace(/s$/, '');
const nounOfField = (name: string): string => singular(name.replace(/Ids?$/, ''));

/** The noun of a path parameter: `:id` after `/members` is a member, `:candidateId` a candidate. */
function nounOfParam(path: string, name: string): string {
  if (name !== 'id') {
    return nounOfField(name);
  }
  const segments = path.split('/');
  const at = segments.indexOf(`:${name}`);
  return singular(segments[at - 1] ?? '');
}

/** The noun of what an answer describes: the last fixed segment of its path. */
function nounOfPath(path: string): string {
  const fixed = path.split('/').filter((s) => s && !s.startsWith(':'));
  return singular(fixed[fixed.length - 1] ?? '');
}

interface Planned {
  caller: Caller;
  route: DocumentedRoute;
  options: InjectOptions & { url: string; method: string };
  bodyText?: string;
}

class Generator {
  constructor(
    private readonly rng: Rng,
    private readonly document: OpenAPIObject,
    private readonly pools: Pools,
  ) {}

  private int(n: number): number {
    return Math.floor(this.rng() * n);
  }

  private chance(p: number): boolean {
    return this.rng() < p;
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  private uuid(): string {
    const hex = (n: number): string =>
      Array.from({ length: n }, () => this.int(16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  }

  private text(max = 40): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789-_.Жёß';
    const length = 1 + this.int(Math.max(1, Math.min(max, 40)));
    return (
      Array.from({ length }, () => this.pick([...alphabet]))
        .join('')
        .trim() || 'x'
    );
  }

  private resolve(schema: Schema): SchemaObject {
    if ('$ref' in schema) {
      const name = schema.$ref.split('/').pop()!;
      return this.document.components?.schemas?.[name] as SchemaObject;
    }
    return schema;
  }

  /** An id of the right kind when one has been seen, else any id or a fresh one. */
  id(noun: string): string {
    const real = this.pools.get(noun);
    const roll = this.rng();
    if (real.length > 0 && roll < 0.7) {
      return this.pick(real);
    }
    if (this.pools.all.length > 0 && roll < 0.85) {
      return this.pick(this.pools.all);
    }
    return this.uuid();
  }

  /** A value the schema allows (or nearly: bounds are crossed now and then). */
  valueFor(schema: Schema | undefined, name: string, depth = 0): unknown {
    if (!schema || depth > 5) {
      return this.text();
    }
    const s = this.resolve(schema);
    if (!s) {
      return {};
    }
    if (s.enum && s.enum.length > 0) {
      return this.pick(s.enum as unknown[]);
    }
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    switch (type) {
      case 'integer':
      case 'number': {
        const min = s.minimum ?? 0;
        const max = s.maximum ?? Math.max(min + 10, 10);
        const n = min + this.int(Math.min(max - min, 1_000) + 1);
        return this.chance(0.05) ? n + 0.5 : n;
      }
      case 'boolean':
        return this.chance(0.5);
      case 'array': {
        const length = this.int(4);
        return Array.from({ length }, () => this.valueFor(s.items, singular(name), depth + 1));
      }
      case 'object':
        if (!s.properties) {
          return name === 'scores' ? this.scores() : {};
        }
        return this.objectFor(s, depth);
      case 'string':
      default:
        return this.stringFor(s, name);
    }
  }

  private scores(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const nominee of this.pools.get('nominee').slice(0, 3)) {
      out[nominee] = {
        impact: 1 + this.int(10),
        creativity: 1 + this.int(10),
        execution: 1 + this.int(10),
      };
    }
    return out;
  }

  private stringFor(s: SchemaObject, name: string): string {
    if (s.format === 'uuid' || /Id$/.test(name)) {
      return this.id(nounOfField(name));
    }
    if (s.format === 'date-time') {
      return new Date(Date.UTC(2026, this.int(24), 1 + this.int(28), this.int(24))).toISOString();
    }
    if (s.format === 'date') {
      return `20${26 + this.int(4)}-0${1 + this.int(9)}-1${this.int(10)}`;
    }
    if (s.format === 'email' || name === 'email') {
      return `${this.text(10).replace(/[^a-z0-9]/gi, '') || 'x'}@example.org`;
    }
    if (name === 'slug' || name === 'id') {
      return `s${this.int(1e9)}`;
    }
    if (name === 'choice') {
      return this.id('candidate');
    }
    if (/password/i.test(name)) {
      return `pw-${this.int(1e12)}-long-enough`;
    }
    return this.text(s.maxLength ?? 40);
  }

  private objectFor(s: SchemaObject, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const required = new Set(s.required ?? []);
    for (const [key, property] of Object.entries(s.properties ?? {})) {
      if (required.has(key) || this.chance(0.5)) {
        out[key] = this.valueFor(property, key, depth + 1);
      }
    }
    return out;
  }

  /** One to three fields replaced by hostile values, added, or left out. */
  private mutate(body: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...body };
    const keys = Object.keys(out);
    for (let n = 1 + this.int(3); n > 0; n--) {
      const roll = this.rng();
      if (keys.length > 0 && roll < 0.7) {
        const key = this.pick(keys);
        const value = out[key];
        if (
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          this.chance(0.5)
        ) {
          out[key] = this.mutate(value as Record<string, unknown>);
        } else if (Array.isArray(value) && value.length > 0 && this.chance(0.5)) {
          out[key] = (value as unknown[]).map((v, i) => (i === 0 ? this.pick(HOSTILE_VALUES) : v));
        } else {
          out[key] = this.pick(HOSTILE_VALUES);
        }
      } else if (keys.length > 0 && roll < 0.85) {
        delete out[this.pick(keys)];
      } else {
        out[this.pick(UNKNOWN_KEYS)] = this.pick(HOSTILE_VALUES);
      }
    }
    return out;
  }

  private pathValue(path: string, name: string, schema: Schema | undefined): string {
    const roll = this.rng();
    if (roll < 0.15) {
      return this.pick(HOSTILE_PATH);
    }
    if (roll < 0.2) {
      return encodeURIComponent(this.text());
    }
    const noun = nounOfParam(path, name);
    const s = schema ? this.resolve(schema) : undefined;
    if (s?.enum) {
      return encodeURIComponent(String(this.pick(s.enum)));
    }
    const real = this.pools.get(noun);
    if (real.length > 0 || noun === 'kind') {
      return encodeURIComponent(this.id(noun));
    }
    return this.id(noun);
  }

  private query(parameters: ParameterObject[]): string {
    const parts: string[] = [];
    for (const p of parameters.filter((q) => q.in === 'query')) {
      if (!p.required && this.chance(0.5)) {
        continue;
      }
      const value = this.chance(0.3)
        ? this.pick(HOSTILE_QUERY)
        : encodeURIComponent(String(this.valueFor(p.schema, p.name)));
      parts.push(`${encodeURIComponent(p.name)}=${value}`);
      if (this.chance(0.05)) {
        parts.push(`${encodeURIComponent(p.name)}=${this.pick(HOSTILE_QUERY)}`);
      }
    }
    if (this.chance(0.08)) {
      parts.push(
        `${this.pick(['__proto__', 'constructor', 'x', 'q[]', 'a%00'])}=${this.pick(HOSTILE_QUERY)}`,
      );
    }
    return parts.length > 0 ? `?${parts.join('&')}` : '';
  }

  private headers(parameters: ParameterObject[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of parameters.filter((h) => h.in === 'header')) {
      if (this.chance(0.6)) {
        out[p.name.toLowerCase()] = this.chance(0.1) ? 'k'.repeat(300) : `key-${this.int(1e9)}`;
      }
    }
    return out;
  }

  private csv(): string {
    const lines = ['member_number,kind,name,email'];
    for (let i = this.int(4); i > 0; i--) {
      const cells = [
        `F-${this.int(1e6)}`,
        this.pick(['individual', 'corporate', 'x']),
        this.text(),
        'a@example.org',
      ];
      if (this.chance(0.3)) {
        cells[this.int(cells.length)] = this.pick(['\u0000', '"', 'x'.repeat(400), '', '=1+1']);
      }
      lines.push(cells.join(','));
    }
    return lines.join('\n');
  }

  /** A multipart upload, whole or cut short. */
  private multipart(): { payload: string; contentType: string } {
    const boundary = `----fuzz${this.int(1e9)}`;
    const field = this.chance(0.9) ? 'file' : 'other';
    let payload =
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="m.csv"\r\n` +
      `Content-Type: text/csv\r\n\r\n${this.csv()}\r\n--${boundary}--\r\n`;
    if (this.chance(0.4)) {
      payload = payload.slice(0, this.int(payload.length));
    }
    const contentType = this.chance(0.9)
      ? `multipart/form-data; boundary=${boundary}`
      : 'multipart/form-data';
    return { payload, contentType };
  }

  private body(route: DocumentedRoute): { payload?: string; contentType?: string } {
    const content =
      route.operation.requestBody && 'content' in route.operation.requestBody
        ? route.operation.requestBody.content
        : undefined;
    if (content?.['multipart/form-data']) {
      const roll = this.rng();
      if (roll < 0.6) {
        return this.multipart();
      }
      if (roll < 0.85) {
        return { payload: this.csv(), contentType: 'text/csv' };
      }
      return { payload: serialize(this.pick(HOSTILE_BODIES)), contentType: 'application/json' };
    }
    const schema = content?.['application/json']?.schema;
    const hasBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);
    if (!schema) {
      if (!hasBody || this.chance(0.7)) {
        return {};
      }
      return {
        payload: serialize(this.pick([...HOSTILE_BODIES, {}])),
        contentType: 'application/json',
      };
    }
    const roll = this.rng();
    let payload: string;
    if (roll < 0.5) {
      payload = serialize(this.valueFor(schema, 'body'));
    } else if (roll < 0.88) {
      const value = this.valueFor(schema, 'body');
      payload = serialize(
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? this.mutate(value as Record<string, unknown>)
          : value,
      );
    } else {
      payload = serialize(this.pick(HOSTILE_BODIES));
    }
    if (this.chance(0.05)) {
      return {
        payload: this.pick([payload, 'a=1&b=%00&__proto__=x']),
        contentType: this.pick([
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-16',
          'application/octet-stream',
        ]),
      };
    }
    return { payload, contentType: 'application/json' };
  }

  request(route: DocumentedRoute, caller: Caller, token: string | undefined): Planned {
    const parameters = (route.operation.parameters ?? []) as ParameterObject[];
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) =>
      this.pathValue(
        route.path,
        name,
        parameters.find((p) => p.name === name && p.in === 'path')?.schema,
      ),
    );
    const { payload, contentType } = this.body(route);
    const headers: Record<string, string> = {
      ...this.headers(parameters),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(contentType ? { 'content-type': contentType } : {}),
    };
    return {
      caller,
      route,
      bodyText: payload,
      options: {
        method: route.method,
        url: `${path}${this.query(parameters)}`,
        headers,
        ...(payload === undefined ? {} : { payload }),
      },
    };
  }
}

const excerpt = (text: string | undefined, max = 300): string =>
  text === undefined
    ? '(none)'
    : `${JSON.stringify(text.length > max ? text.slice(0, max) : text)}${text.length > max ? `… (${text.length} chars)` : ''}`;

/**
 * Every operation of the OpenAPI document the application serves (read at run time, so routes
 * added later are covered), as each of the four kinds of caller, with path ids of real objects and
 * made-up ones, query strings and bodies generated from the schemas and then spoiled with hostile
 * values. No answer may be a 5xx, take longer than STALL_MS, or leave the error shape.
 */
describe(`fuzz of every route (e2e, seed ${SEED})`, () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let routes: DocumentedRoute[];
  const tokens = new Map<Caller, string | undefined>();
  const userIds = new Map<Caller, string>();
  const reserved = new Set<string>();
  let pools: Pools;

  async function mint(caller: Caller): Promise<void> {
    const user = (await t.app.get(UsersRepository).findById(userIds.get(caller)!))!;
    tokens.set(caller, (await t.app.get(AuthService).login(user, '127.0.0.1')).accessToken);
  }

  beforeAll(async () => {
    t = await startTestApp();
    // Hashing is slow on purpose and has nothing to do with input handling: cheap parameters here
    // (verify reads them from the hash) keep the fuzz's time for the routes.
    jest
      .spyOn(t.app.get(PasswordHasher), 'hash')
      .mockImplementation((password) =>
        argon2.hash(password, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 }),
      );
    document = await openApiDocument(t.app);
    routes = documentedRoutes(document);
    // A route the controllers declare but the document leaves out is fuzzed too, without schemas.
    const documented = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const undocumented = collectRoutes(t.app, API_PREFIX).filter(
      (r: AppRoute) => !documented.has(`${r.method} ${r.path}`),
    );
    routes.push(
      ...undocumented.map((r) => ({
        method: r.method,
        path: r.path,
        operation: { responses: {} },
      })),
    );

    const edition = await juryEdition(t);
    const certifier = await newUser(t, 'admin');
    const [member, voter] = await newVoters(t, 2);
    const admin = edition.admin;
    for (const [caller, id] of [
      ['member', member.userId],
      ['jury', edition.jA.userId],
      ['admin', admin.userId],
    ] as const) {
      userIds.set(caller, id);
      reserved.add(id);
    }
    reserved.add(member.memberId);
    reserved.add(certifier.userId);
    tokens.set('anonymous', undefined);
    tokens.set('member', member.token);
    tokens.set('jury', edition.jA.token);
    tokens.set('admin', admin.token);
    pools = new Pools(reserved);

    // Objects in every state the routes care about: an open election, a published one, a meeting.
    const meeting = await t.http
      .post('/api/v1/meetings')
      .set('authorization', `Bearer ${admin.token}`)
      .send({ title: 'Fuzz meeting', startsAt: '2026-11-20T17:00:00Z', quorumKind: 'none' });
    pools.harvest(meeting.body, 'meeting');
    const open = await draftElection(t, admin.token, { office: 'Open', method: 'plurality' }, [
      'A',
      'B',
    ]);
    await openElection(t, admin.token, open.id);
    const receipt = await cast(t, voter, open.id, { choice: open.candidates[0].id });
    pools.harvest(receipt.body, 'ballot');
    const done = await draftElection(t, admin.token, { office: 'Done', method: 'plurality' }, [
      'C',
      'D',
    ]);
    await openElection(t, admin.token, done.id);
    await cast(t, voter, done.id, { choice: done.candidates[1].id });
    await closeAndTally(t, admin.token, done.id);
    const publication = await t.http
      .post(`/api/v1/results/${ELECTION_CONTEST}/${done.id}/certify`)
      .set('authorization', `Bearer ${certifier.token}`)
      .send({});
    pools.harvest(publication.body, 'publication');
    for (const e of [open, done]) {
      pools.add('election', e.id);
      pools.add('contest', e.id);
      e.candidates.forEach((c) => pools.add('candidate', c.id));
    }
    for (const kind of [ELECTION_CONTEST, AWARD_ROUND_CONTEST]) {
      pools.add('kind', kind);
    }
    pools.add('edition', edition.editionId);
    for (const id of [edition.scoredId, edition.rankedId]) {
      pools.add('categorie', id);
    }
    for (const id of [edition.scoredRound, edition.rankedRound]) {
      pools.add('round', id);
      pools.add('contest', id);
    }
    for (const id of [...edition.scoredNominees, ...edition.rankedNominees, edition.rejected]) {
      pools.add('nominee', id);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads the routes from the document the application serves', () => {
    expect(routes.length).toBeGreaterThanOrEqual(100);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/login',
        'GET /health',
        'PATCH /api/v1/members/:id',
      ]),
    );
  });

  it(`answers ${MIN_REQUESTS}+ generated requests without a 5xx, a stall or a stray error shape`, async () => {
    const requests = Math.max(MIN_REQUESTS, routes.length * CALLERS.length * PER_ROUTE_AND_CALLER);
    const rng = seeded(SEED);
    const generator = new Generator(rng, document, pools);
    const fastify = t.app.getHttpAdapter().getInstance();
    const failures: string[] = [];
    const seen = new Map<string, number>();
    const byStatus = new Map<number, number>();
    const slowest = new Map<string, number>();
    const started = Date.now();
    const cpu = process.cpuUsage();

    for (let i = 0; i < requests; i++) {
      // Every route in turn, and every caller for every route.
      const route = routes[i % routes.length];
      const caller = CALLERS[Math.floor(i / routes.length) % CALLERS.length];
      const planned = generator.request(route, caller, tokens.get(caller));
      const label = `#${i} seed=${SEED} ${caller} ${planned.options.method} ${planned.options.url}`;
      let timer: NodeJS.Timeout | undefined;
      let res;
      const sent = Date.now();
      try {
        res = await Promise.race([
          fastify.inject(planned.options),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${STALL_MS} ms`)),
              STALL_MS,
            );
          }),
        ]);
      } catch (error) {
        const message = (error as Error).message;
        if (/no answer/.test(message)) {
          failures.push(`${label} body=${excerpt(planned.bodyText)} → stalled: ${message}`);
        }
        // Anything else was refused by the injector itself (e.g. a header it will not send).
        continue;
      } finally {
        clearTimeout(timer);
      }
      byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
      const timed = `${route.method} ${route.path}`;
      slowest.set(timed, (slowest.get(timed) ?? 0) + Date.now() - sent);
      const problem = checkAnswer(res.statusCode, res.headers, res.body);
      if (problem) {
        const key = `${route.method} ${route.path} ${problem}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (seen.get(key) === 1) {
          failures.push(
            `${label}\n    content-type=${String(planned.options.headers?.['content-type'] ?? '(none)')} ` +
              `body=${excerpt(planned.bodyText)}\n    → ${res.statusCode} ${problem}: ${excerpt(res.body, 200)}`,
          );
        }
      }
      if ((res.headers['content-type'] ?? '').toString().startsWith('application/json')) {
        try {
          pools.harvest(res.json(), nounOfPath(route.path));
        } catch {
          // Not JSON after all: nothing to learn from it.
        }
      }
      if (res.statusCode === 401 && caller !== 'anonymous') {
        // The fuzz may have ended its own session (logout, a password change): sign in again.
        const me = await fastify.inject({
          method: 'GET',
          url: `/${API_PREFIX}/auth/me`,
          headers: { authorization: `Bearer ${tokens.get(caller)}` },
        });
        if (me.statusCode === 401) {
          await mint(caller);
        }
      }
    }

    const elapsed = Date.now() - started;
    const used = process.cpuUsage(cpu);
    process.stdout.write(
      `fuzz seed=${SEED}: ${requests} requests over ${routes.length} routes in ${elapsed} ms ` +
        `(${Math.round((used.user + used.system) / 1000)} ms of this process's CPU); ` +
        `statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}; ` +
        `slowest routes (total ms) ${JSON.stringify([...slowest].sort((a, b) => b[1] - a[1]).slice(0, 5))}\n`,
    );
    expect(failures).toEqual([]);
  });
});

/** What is wrong with an answer, or undefined when nothing is. */
function checkAnswer(
  status: number,
  headers: Record<string, unknown>,
  body: string,
): string | undefined {
  if (status >= 500) {
    return 'server error';
  }
  if (headers['x-content-type-options'] !== 'nosniff') {
    return 'no security headers';
  }
  const json = /^application\/json/.test(String(headers['content-type']));
  if (status >= 400 && json) {
    let parsed: { statusCode?: unknown; error?: unknown; message?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return 'error body is not JSON';
    }
    if (
      parsed.statusCode !== status ||
      typeof parsed.error !== 'string' ||
      typeof parsed.message !== 'string'
    ) {
      return 'error body not in the error shape';
    }
  } else if (status >= 400) {
    return 'error answered without JSON';
  }
  return undefined;
}

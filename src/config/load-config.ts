import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type {
  AppConfig,
  AuditConfig,
  AuthConfig,
  CastingConfig,
  Config,
  DatabaseConfig,
  QueueConfig,
  RateLimitConfig,
  SecrecyConfig,
} from './config.types';

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads one namespace's variables and collects every problem before failing. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback?: string): string {
    const raw = this.env[name];
    if (raw === undefined || raw === '') {
      if (fallback === undefined) {
        this.problems.push(`${name} is required`);
        return '';
      }
      return fallback;
    }
    return raw;
  }

  optional(name: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw === '' ? undefined : raw;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') {
      return fallback;
    }
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === '') {
      return fallback;
    }
    if (/^(true|1|yes)$/i.test(raw)) {
      return true;
    }
    if (/^(false|0|no)$/i.test(raw)) {
      return false;
    }
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') {
      return fallback;
    }
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) {
      return undefined;
    }
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL`);
    }
    return raw;
  }

  list(name: string): string[] {
    const raw = this.optional(name);
    return raw === undefined
      ? []
      : raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
  }
}

export function projectRoot(): string {
  // Compiled files live in dist/src/config, sources in src/config: both are two levels below the root
  // of their tree, and dist/ itself sits in the project root.
  const here = resolve(__dirname, '..', '..');
  return here.endsWith('/dist') ? dirname(here) : here;
}

function loadApp(r: Reader): AppConfig {
  return {
    nodeEnv: r.oneOf('NODE_ENV', ['development', 'test', 'production'] as const, 'development'),
    port: r.int('PORT', 3000, 0, 65535),
    host: r.string('HOST', '0.0.0.0'),
    logLevel: r.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    trustProxy: r.list('TRUST_PROXY'),
    corsOrigins: r.list('CORS_ORIGINS'),
  };
}

/**
 * The embedded server's default port, derived from its data folder (20000–29999, below the
 * ephemeral range), so that two checkouts on one machine do not meet on one port.
 */
export function embeddedPortFor(dataDir: string): number {
  return 20_000 + (createHash('sha256').update(dataDir).digest().readUInt32BE(0) % 10_000);
}

function loadDatabase(r: Reader, root: string): DatabaseConfig {
  const embeddedDir = resolve(root, r.string('EMBEDDED_PG_DIR', '.data/postgres'));
  return {
    url: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    embeddedDir,
    embeddedPort: r.int('EMBEDDED_PG_PORT', embeddedPortFor(embeddedDir), 1, 65535),
    embeddedUser: r.string('EMBEDDED_PG_USER', 'postgres'),
    embeddedPassword: r.string('EMBEDDED_PG_PASSWORD', 'postgres'),
    embeddedDatabase: r.string('EMBEDDED_PG_DATABASE', 'association'),
    embeddedCreateOsUser: r.bool('EMBEDDED_PG_CREATE_OS_USER', true),
    migrationsRun: r.bool('DB_MIGRATIONS_RUN', true),
    poolSize: r.int('DB_POOL_SIZE', 20, 1, 500),
    statementTimeoutMs: r.int('DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 3_600_000),
    logQueries: r.bool('DB_LOG_QUERIES', false),
  };
}

function loadQueue(r: Reader): QueueConfig {
  return {
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    prefix: r.string('QUEUE_PREFIX', 'ab'),
    runWorker: r.bool('QUEUE_RUN_WORKER', true),
    concurrency: r.int('QUEUE_CONCURRENCY', 2, 1, 64),
    relayIntervalMs: r.int('OUTBOX_RELAY_INTERVAL_MS', 1000, 50, 600_000),
    sweepIntervalMs: r.int('SCHEDULE_SWEEP_INTERVAL_MS', 5000, 100, 3_600_000),
    removeOnCompleteCount: r.int('QUEUE_KEEP_COMPLETED', 1000, 0, 1_000_000),
    removeOnFailCount: r.int('QUEUE_KEEP_FAILED', 5000, 0, 1_000_000),
    stalledIntervalMs: r.int('QUEUE_STALLED_INTERVAL_MS', 30_000, 1000, 600_000),
    connectTimeoutMs: r.int('REDIS_CONNECT_TIMEOUT_MS', 2000, 100, 60_000),
    commandTimeoutMs: r.int('REDIS_COMMAND_TIMEOUT_MS', 2000, 100, 60_000),
  };
}

/**
 * In development without JWT_SECRET a random secret is kept in the data folder, so tokens survive a
 * restart but no secret is ever written in the repository.
 */
function developmentSecret(root: string): string {
  const file = resolve(root, '.data', 'jwt-secret');
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function loadAuth(r: Reader, app: AppConfig, root: string): AuthConfig {
  const given = r.optional('JWT_SECRET');
  let jwtSecret: string;
  if (given !== undefined) {
    if (given.length < 32) {
      r.problems.push('JWT_SECRET must be at least 32 characters');
    }
    jwtSecret = given;
  } else if (app.nodeEnv === 'production') {
    r.problems.push('JWT_SECRET is required in production');
    jwtSecret = '';
  } else if (app.nodeEnv === 'test') {
    jwtSecret = randomBytes(48).toString('base64url');
  } else {
    jwtSecret = developmentSecret(root);
  }
  const production = app.nodeEnv === 'production';
  const issuer = production ? r.string('JWT_ISSUER') : r.string('JWT_ISSUER', 'association-ballot');
  const audience = production
    ? r.string('JWT_AUDIENCE')
    : r.string('JWT_AUDIENCE', 'association-ballot-api');
  const adminPassword = r.optional('ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 12) {
    r.problems.push('ADMIN_PASSWORD must be at least 12 characters');
  }
  return {
    jwtSecret,
    jwtIssuer: issuer,
    jwtAudience: audience,
    accessTokenTtlSeconds: r.int('JWT_ACCESS_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlSeconds: r.int('JWT_REFRESH_TTL_SECONDS', 1_209_600, 300, 31_536_000),
    loginLimitPerAccount: r.int('LOGIN_LIMIT_PER_ACCOUNT', 5, 1, 10_000),
    loginLimitPerIp: r.int('LOGIN_LIMIT_PER_IP', 100, 1, 100_000),
    loginWindowSeconds: r.int('LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
    passwordMinScore: r.int('PASSWORD_MIN_SCORE', 3, 0, 4),
    adminEmail: r.optional('ADMIN_EMAIL'),
    adminPassword,
  };
}

/**
 * Per user: a voter casts once (or once for each member they are the delegate of) and may retry, so
 * ten a minute is plenty. Per address: a 5,000-member association whose members all vote in the
 * final hour casts 83 ballots a minute, and at a general meeting half of them may vote in the first
 * minute through the hall's one NAT address; 3,000 a minute takes ten times the first and all of
 * the second, and still holds one address to about 5% of what one API process serves. The e2e
 * suites (NODE_ENV=test) cast hundreds of ballots as one user from one address, so there the
 * limits are off unless set.
 */
function loadCasting(r: Reader, app: AppConfig): CastingConfig {
  const testing = app.nodeEnv === 'test';
  return {
    limitPerUser: r.int('CAST_LIMIT_PER_USER', testing ? 1_000_000 : 10, 1, 1_000_000),
    limitPerIp: r.int('CAST_LIMIT_PER_IP', testing ? 10_000_000 : 3000, 1, 10_000_000),
    limitWindowSeconds: r.int('CAST_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
  };
}

/**
 * Every route that needs no login is limited per address, generously: a hall of members behind one
 * NAT address opening the published result at once stays far below it, while one client cannot
 * keep the server rendering exports. Off under NODE_ENV=test unless set, like the casting limits.
 */
function loadRateLimits(r: Reader, app: AppConfig): RateLimitConfig {
  const testing = app.nodeEnv === 'test';
  return {
    publicLimitPerIp: r.int('PUBLIC_LIMIT_PER_IP', testing ? 10_000_000 : 1200, 1, 10_000_000),
    publicLimitWindowSeconds: r.int('PUBLIC_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    redisTimeoutMs: r.int('RATE_LIMIT_REDIS_TIMEOUT_MS', 100, 5, 10_000),
  };
}

function loadAudit(r: Reader, root: string): AuditConfig {
  const signingKey = r.optional('AUDIT_SIGNING_KEY');
  if (signingKey !== undefined) {
    try {
      if (createPrivateKey(signingKey.replace(/\\n/g, '\n')).asymmetricKeyType !== 'ed25519') {
        r.problems.push('AUDIT_SIGNING_KEY must be an Ed25519 private key');
      }
    } catch {
      r.problems.push('AUDIT_SIGNING_KEY is not a PEM private key');
    }
  }
  return {
    signingKey: signingKey?.replace(/\\n/g, '\n'),
    signingKeyFile: resolve(root, r.string('AUDIT_SIGNING_KEY_FILE', '.data/audit-ed25519.pem')),
    distinctCertifier: r.bool('RESULTS_DISTINCT_CERTIFIER', true),
    publishVoterList: r.bool('RESULTS_PUBLISH_VOTER_LIST', false),
  };
}

function loadSecrecy(r: Reader, root: string): SecrecyConfig {
  const text = r.optional('BALLOT_KEY');
  let ballotKey: Buffer | undefined;
  if (text !== undefined) {
    ballotKey = Buffer.from(text, 'base64');
    if (ballotKey.length !== 32 || ballotKey.toString('base64') !== text.trim()) {
      r.problems.push('BALLOT_KEY must be 32 random bytes in base64 (openssl rand -base64 32)');
    }
  }
  return {
    ballotKey,
    ballotKeyFile: resolve(root, r.string('BALLOT_KEY_FILE', '.data/ballot-key')),
  };
}

/** Validates every namespace once; a wrong value stops the boot naming the variable. */
export function loadConfig(env: Env = process.env): Config {
  const r = new Reader(env);
  const root = projectRoot();
  const app = loadApp(r);
  const config: Config = {
    app,
    database: loadDatabase(r, root),
    queue: loadQueue(r),
    auth: loadAuth(r, app, root),
    casting: loadCasting(r, app),
    rateLimits: loadRateLimits(r, app),
    audit: loadAudit(r, root),
    secrecy: loadSecrecy(r, root),
  };
  if (r.problems.length > 0) {
    throw new ConfigError(r.problems);
  }
  return config;
}

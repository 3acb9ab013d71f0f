export type NodeEnv = 'development' | 'test' | 'production';

export interface AppConfig {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  /** Addresses of proxies whose X-Forwarded-For may be believed; empty trusts none. */
  trustProxy: string[];
  corsOrigins: string[];
}

export interface DatabaseConfig {
  /** Unset means: start the embedded PostgreSQL. */
  url: string | undefined;
  embeddedDir: string;
  embeddedPort: number;
  embeddedUser: string;
  embeddedPassword: string;
  embeddedDatabase: string;
  /** Run PostgreSQL as the `postgres` OS user (created if missing) when this process is root. */
  embeddedCreateOsUser: boolean;
  migrationsRun: boolean;
  poolSize: number;
  statementTimeoutMs: number;
  logQueries: boolean;
}

export interface QueueConfig {
  /** Unset means: jobs run in-process through the same handlers. */
  redisUrl: string | undefined;
  /** Key prefix of the queues in Redis, so several deployments can share one server. */
  prefix: string;
  /** Whether this process consumes jobs (the API may leave that to `worker`). */
  runWorker: boolean;
  concurrency: number;
  relayIntervalMs: number;
  sweepIntervalMs: number;
  removeOnCompleteCount: number;
  removeOnFailCount: number;
  stalledIntervalMs: number;
  connectTimeoutMs: number;
  /**
   * How long a command to Redis from this process's producers and probe may take. A hung Redis (or
   * a partition) keeps the connection open and never answers; past this the command counts as
   * Redis being unreachable.
   */
  commandTimeoutMs: number;
}

export interface AuthConfig {
  jwtSecret: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  loginLimitPerAccount: number;
  loginLimitPerIp: number;
  loginWindowSeconds: number;
  /** The least zxcvbn score (0–4) a new password must reach. */
  passwordMinScore: number;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
}

/**
 * Rate limits on casting a ballot, per API process. The per-user limit keeps one login from
 * hammering the endpoint; the per-address limit is generous because a whole meeting or office may
 * vote through one NAT address.
 */
export interface CastingConfig {
  limitPerUser: number;
  limitPerIp: number;
  limitWindowSeconds: number;
}

/**
 * Where limits are kept: in Redis when REDIS_URL is set, so every API process shares them, else (and
 * while Redis is away) in each process's memory.
 */
export interface RateLimitConfig {
  /** Requests per address to routes that need no login, per window. */
  publicLimitPerIp: number;
  publicLimitWindowSeconds: number;
  /** How long a limit check waits for Redis before it counts in memory instead. */
  redisTimeoutMs: number;
}

export interface AuditConfig {
  /** PEM-encoded Ed25519 private key; unset in development means a key kept in the data folder. */
  signingKey: string | undefined;
  signingKeyFile: string;
  /** Certification by an admin other than the one who closed the contest, when there are two or more. */
  distinctCertifier: boolean;
  /** Whether audit bundles list the members who voted (never how). */
  publishVoterList: boolean;
}

/**
 * The server key that wraps custodial election keys and holds commission shares between their
 * hand-over and use. It is kept outside the database, so a copy of the database alone opens nothing.
 */
export interface SecrecyConfig {
  /** 32 bytes, base64; unset in development means a key kept in the data folder. */
  ballotKey: Buffer | undefined;
  ballotKeyFile: string;
}

export interface Config {
  app: AppConfig;
  database: DatabaseConfig;
  queue: QueueConfig;
  auth: AuthConfig;
  casting: CastingConfig;
  rateLimits: RateLimitConfig;
  audit: AuditConfig;
  secrecy: SecrecyConfig;
}

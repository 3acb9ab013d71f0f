import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { PreparedStatement } from './prepared-statement';

interface TransactionStore {
  manager: EntityManager;
  afterCommit: (() => void)[];
}

export interface TransactionOptions {
  isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
  /** Attempts for serialization failures and deadlocks (SQLSTATE 40001, 40P01). */
  attempts?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);

export function pgErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Connection exceptions (class 08), server shutdown or start-up (57P0x), too many connections. */
const UNAVAILABLE_CODES = /^(08...|57P0[123]|53300|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/;
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/**
 * The database could not be reached or dropped the connection: nothing about the request was
 * wrong, and the same request may succeed a moment later (the pool replaces dead connections).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (code !== undefined && UNAVAILABLE_CODES.test(code)) {
    return true;
  }
  const e = error as { message?: unknown; driverError?: { message?: unknown } };
  const message = e?.driverError?.message ?? e?.message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}

export function pgConstraint(error: unknown): string | undefined {
  const e = error as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const c = e?.driverError?.constraint ?? e?.constraint;
  return typeof c === 'string' ? c : undefined;
}

/**
 * The unit of work. A transaction opened here is visible to every repository called inside it
 * (through async context), so a service composes repositories and the audit log in one transaction
 * without handing a connection around.
 */
@Injectable()
export class Database {
  private readonly logger = new Logger(Database.name);
  private readonly store = new AsyncLocalStorage<TransactionStore>();

  constructor(readonly dataSource: DataSource) {}

  /** The manager of the current transaction, or the pool's when there is none. */
  get manager(): EntityManager {
    return this.store.getStore()?.manager ?? this.dataSource.manager;
  }

  /**
   * Runs a named statement in the current unit of work. TypeORM hands the query to node-postgres as
   * it is, and node-postgres takes a `{ name, text }` config (which it copies) in place of the text.
   */
  prepared<T>(statement: PreparedStatement, parameters: unknown[]): Promise<T> {
    return this.manager.query<T>(statement as unknown as string, parameters);
  }

  get inTransaction(): boolean {
    return this.store.getStore() !== undefined;
  }

  async transaction<T>(work: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const outer = this.store.getStore();
    if (outer) {
      return work();
    }
    const attempts = options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      const afterCommit: (() => void)[] = [];
      try {
        const result = await this.dataSource.transaction(
          options.isolation ?? 'READ COMMITTED',
          (manager) => this.store.run({ manager, afterCommit }, work),
        );
        for (const hook of afterCommit) {
          hook();
        }
        return result;
      } catch (error) {
        const code = pgErrorCode(error);
        if (code !== undefined && RETRYABLE.has(code) && attempt < attempts) {
          this.logger.warn({ code, attempt }, 'transaction retried after a serialization conflict');
          await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 20)));
          continue;
        }
        throw error;
      }
    }
  }

  /** Runs `hook` once the current transaction commits (at once when there is none). */
  afterCommit(hook: () => void): void {
    const store = this.store.getStore();
    if (store) {
      store.afterCommit.push(hook);
    } else {
      hook();
    }
  }

  /** Serialises work on one key until the current transaction ends. */
  async lock(namespace: string, key: string): Promise<void> {
    if (!this.inTransaction) {
      throw new Error('Database.lock needs a transaction');
    }
    await this.manager.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
      namespace,
      key,
    ]);
  }

  /**
   * The database's clock at this moment, not the transaction's start time: for a time that must
   * order after every row committed before a lock was taken (a close after the casts it waited for).
   */
  async clock(): Promise<Date> {
    const [row] = await this.manager.query<{ now: Date }[]>('SELECT clock_timestamp() AS now');
    return row.now;
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

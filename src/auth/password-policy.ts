import { Worker } from 'node:worker_threads';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { AuthErrorCode, AuthException } from './auth.exception';

/** What zxcvbn says of a password. */
export interface Strength {
  /** 0 (guessed at once) to 4 (very unlikely to be guessed). */
  score: number;
  warning: string | null;
  suggestions: string[];
}

/**
 * Only this many characters are judged: zxcvbn's work grows steeply with the length (a random
 * 150-character password took seconds), and a password whose first 64 characters are strong is.
 */
const JUDGED_LENGTH = 64;
/** Likewise for leetspeak: the default of 100 substitutions took seconds on long passwords. */
const LEET_SUBSTITUTIONS = 3;
/** The dictionaries take about 30 MB and a second to load: the worker goes when it is idle. */
const IDLE_MS = 60_000;

/**
 * zxcvbn runs in a worker thread: a check takes tens of milliseconds, too long to block the event
 * loop that serves casting. The worker is plain CommonJS, given the packages' resolved paths.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const en = require(workerData.en);
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  maxLength: workerData.maxLength,
  l33tMaxSubstitutions: workerData.l33tMaxSubstitutions,
});
parentPort.on('message', ({ id, password, userInputs }) => {
  const { score, feedback } = zxcvbn.check(password, userInputs);
  parentPort.postMessage({ id, score, warning: feedback.warning, suggestions: feedback.suggestions });
});
`;

interface Pending {
  resolve(strength: Strength): void;
  reject(error: Error): void;
}

/** The person a password is for: what it must not be made of. */
export interface PasswordOwner {
  email: string;
  displayName?: string;
}

/** Separators people put between the parts of their name. */
const SEPARATORS = ['', '.', '_', '-', ' '];

/**
 * What a password must not be made of: the owner's e-mail address, its parts, their name and its
 * parts, and each two parts joined as people join them (`petrova.anna`, `annapetrova`), since
 * zxcvbn matches each given word on its own.
 */
export function personalWords(owner: PasswordOwner): string[] {
  const email = owner.email.trim().toLowerCase();
  const [local = '', domain = ''] = email.split('@');
  const name = owner.displayName?.trim().toLowerCase() ?? '';
  const split = (text: string): string[] =>
    text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 2);
  const parts = [...new Set([...split(local), ...split(name)])].slice(0, 6);
  const pairs = parts.flatMap((a) =>
    parts.filter((b) => b !== a).flatMap((b) => SEPARATORS.map((sep) => `${a}${sep}${b}`)),
  );
  const words = [email, local, domain, domain.split('.')[0] ?? '', name, ...parts, ...pairs];
  return [...new Set(words.filter((w) => w.length >= 3))];
}

/**
 * Refuses passwords that are easy to guess: common ones, patterns (repeats, sequences, keyboard
 * runs, dates, leetspeak) and ones made of the owner's e-mail or name, as zxcvbn judges them, below
 * PASSWORD_MIN_SCORE (3 of 4 by default).
 */
@Injectable()
export class PasswordPolicy implements OnModuleDestroy {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idle: NodeJS.Timeout | undefined;
  readonly minScore: number;

  constructor(@InjectConfig() config: Config) {
    this.minScore = config.auth.passwordMinScore;
  }

  /** Throws a 400 naming `field` and zxcvbn's reasons when the password is too weak. */
  async check(password: string, owner: PasswordOwner, field = 'password'): Promise<void> {
    if (this.minScore === 0) {
      return;
    }
    const strength = await this.strength(password, owner);
    if (strength.score >= this.minScore) {
      return;
    }
    const reasons = [strength.warning, ...strength.suggestions].filter(
      (r): r is string => r !== null && r !== '',
    );
    const why = reasons.length > 0 ? reasons.join(' ') : 'Add more words that are less common.';
    throw new AuthException(
      AuthErrorCode.WeakPassword,
      `The password is too easy to guess (strength ${strength.score} of 4, at least ${this.minScore} needed): ${why}`,
      [{ field, messages: reasons.length > 0 ? reasons : [why] }],
    );
  }

  strength(password: string, owner: PasswordOwner): Promise<Strength> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    clearTimeout(this.idle);
    return new Promise<Strength>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, userInputs: personalWords(owner) });
    });
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.idle);
    await this.stop();
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) {
      return this.worker;
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        core: require.resolve('@zxcvbn-ts/core'),
        common: require.resolve('@zxcvbn-ts/language-common'),
        en: require.resolve('@zxcvbn-ts/language-en'),
        maxLength: JUDGED_LENGTH,
        l33tMaxSubstitutions: LEET_SUBSTITUTIONS,
      },
    });
    worker.unref();
    worker.on('message', (answer: Strength & { id: number }) => {
      const pending = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      pending?.resolve({
        score: answer.score,
        warning: answer.warning,
        suggestions: answer.suggestions,
      });
      if (this.pending.size === 0) {
        this.idle = setTimeout(() => void this.stop(), IDLE_MS);
        this.idle.unref();
      }
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) {
        this.worker = undefined;
      }
      for (const pending of this.pending.values()) {
        pending.reject(error);
      }
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) =>
      fail(new Error(`the password-strength worker stopped (exit code ${code})`)),
    );
    this.worker = worker;
    return worker;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

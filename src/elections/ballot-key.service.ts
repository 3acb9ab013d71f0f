import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { ElectionsErrorCode, ElectionsException } from './elections.exception';

/**
 * The server key (BALLOT_KEY) that wraps custodial election keys and commission shares in transit.
 * From configuration when given; outside production one is generated once and kept in the data
 * folder (mode 0600), like the signing key. Production without it refuses to make election keys.
 */
@Injectable()
export class BallotKeyService {
  private readonly logger = new Logger(BallotKeyService.name);
  private key: Buffer | undefined;

  constructor(@InjectConfig() private readonly config: Config) {}

  serverKey(): Buffer {
    this.key ??= this.load();
    return this.key;
  }

  private load(): Buffer {
    const { ballotKey, ballotKeyFile } = this.config.secrecy;
    if (ballotKey !== undefined) {
      return ballotKey;
    }
    if (this.config.app.nodeEnv === 'production') {
      throw new ElectionsException(
        ElectionsErrorCode.BallotKeyMissing,
        'No ballot key: set BALLOT_KEY (32 random bytes, base64) to hold election keys in production',
      );
    }
    const read = (): Buffer | undefined => {
      try {
        const key = Buffer.from(readFileSync(ballotKeyFile, 'utf8').trim(), 'base64');
        if (key.length !== 32) {
          throw new Error(`${ballotKeyFile} does not hold a 32-byte base64 key`);
        }
        return key;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return undefined;
        }
        throw error;
      }
    };
    const existing = read();
    if (existing) {
      return existing;
    }
    const key = randomBytes(32);
    mkdirSync(dirname(ballotKeyFile), { recursive: true });
    try {
      // 'wx': if another process created it meanwhile, keep theirs.
      writeFileSync(ballotKeyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      this.logger.warn({ file: ballotKeyFile }, 'generated a development ballot key');
      return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        return read()!;
      }
      throw error;
    }
  }
}

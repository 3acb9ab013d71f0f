import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  generateSigningKey,
  parsePrivateKey,
  publicKeyInfo,
  type PublicKeyInfo,
} from 'src/audit/signing';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { ResultsErrorCode, ResultsException } from './results.exception';

/**
 * The association's Ed25519 key. From configuration when given; outside production a key is
 * generated once and kept in the data folder (mode 0600). Production without a key refuses to sign.
 */
@Injectable()
export class SigningKeyService {
  private readonly logger = new Logger(SigningKeyService.name);
  private key: KeyObject | undefined;

  constructor(@InjectConfig() private readonly config: Config) {}

  privateKey(): KeyObject {
    this.key ??= this.load();
    return this.key;
  }

  publicKey(): PublicKeyInfo {
    return publicKeyInfo(this.privateKey());
  }

  private load(): KeyObject {
    const { signingKey, signingKeyFile } = this.config.audit;
    if (signingKey !== undefined) {
      return parsePrivateKey(signingKey);
    }
    if (this.config.app.nodeEnv === 'production') {
      throw new ResultsException(
        ResultsErrorCode.SigningKeyMissing,
        'No signing key: set AUDIT_SIGNING_KEY (PEM Ed25519) to certify results in production',
      );
    }
    try {
      return parsePrivateKey(readFileSync(signingKeyFile, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
    }
    const key = generateSigningKey();
    mkdirSync(dirname(signingKeyFile), { recursive: true });
    try {
      // 'wx': if another process created it meanwhile, keep theirs.
      writeFileSync(signingKeyFile, key.export({ type: 'pkcs8', format: 'pem' }), {
        mode: 0o600,
        flag: 'wx',
      });
      this.logger.warn({ file: signingKeyFile }, 'generated a development signing key');
      return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        return parsePrivateKey(readFileSync(signingKeyFile, 'utf8'));
      }
      throw error;
    }
  }
}

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey } from 'src/audit/signing';
import type { Config } from 'src/config/config.types';
import { loadConfig } from 'src/config/load-config';
import { ResultsErrorCode, ResultsException } from './results.exception';
import { SigningKeyService } from './signing-key.service';

function configFor(nodeEnv: Config['app']['nodeEnv'], audit: Partial<Config['audit']>): Config {
  return {
    app: { nodeEnv },
    audit: {
      signingKey: undefined,
      signingKeyFile: join(mkdtempSync(join(tmpdir(), 'signing-')), 'data', 'key.pem'),
      distinctCertifier: true,
      publishVoterList: false,
      ...audit,
    },
  } as Config;
}

describe('SigningKeyService', () => {
  it('refuses to sign in production without a configured key', () => {
    const service = new SigningKeyService(configFor('production', {}));
    let error: unknown;
    try {
      service.privateKey();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResultsException);
    expect((error as ResultsException).code).toBe(ResultsErrorCode.SigningKeyMissing);
    expect((error as ResultsException).message).toContain('AUDIT_SIGNING_KEY');
  });

  it('uses the configured key in production', () => {
    const key = generateSigningKey();
    const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const service = new SigningKeyService(configFor('production', { signingKey: pem }));
    expect(service.privateKey().export({ type: 'pkcs8', format: 'pem' }).toString()).toBe(pem);
  });

  it('generates a development key once, mode 0600, and reuses it across restarts', () => {
    const config = configFor('development', {});
    const first = new SigningKeyService(config).publicKey();
    const file = config.audit.signingKeyFile;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');
    const second = new SigningKeyService(config).publicKey();
    expect(second.keyId).toBe(first.keyId);
    expect(Buffer.from(first.raw, 'base64')).toHaveLength(32);
  });
});

describe('signing key configuration', () => {
  it('stops the boot on a key that is not an Ed25519 PEM, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', AUDIT_SIGNING_KEY: 'not a key' })).toThrow(
      /AUDIT_SIGNING_KEY is not a PEM private key/,
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => loadConfig({ NODE_ENV: 'test', AUDIT_SIGNING_KEY: rsa })).toThrow(
      /AUDIT_SIGNING_KEY must be an Ed25519 private key/,
    );
  });
});

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { projectRoot } from 'src/config/load-config';
import { AuthErrorCode, AuthException } from './auth.exception';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

export const DEFAULT_ADMIN_EMAIL = 'admin@association.local';

/**
 * Makes sure someone can log in. ADMIN_EMAIL and ADMIN_PASSWORD create the first admin; without them,
 * on a database with no admin outside production, an admin with a random password is created and the
 * password is written to .data/admin-credentials.txt (readable by the owner only). Nothing is ever
 * hard-coded.
 */
@Injectable()
export class FirstAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(FirstAdmin.name);
  loginHint: string | undefined;

  constructor(
    @InjectConfig() private readonly config: Config,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.app.nodeEnv === 'test') {
      return;
    }
    const { adminEmail, adminPassword } = this.config.auth;
    if (adminEmail && adminPassword) {
      if (!(await this.users.findByEmail(adminEmail))) {
        await this.usersService
          .create(null, {
            email: adminEmail.toLowerCase(),
            displayName: 'Administrator',
            role: 'admin',
            password: adminPassword,
          })
          .catch((error: unknown) => {
            if (
              error instanceof AuthException &&
              error.code === (AuthErrorCode.WeakPassword as string)
            ) {
              throw new Error(`ADMIN_PASSWORD is refused. ${error.message}`, { cause: error });
            }
            throw error;
          });
        this.logger.log({ email: adminEmail }, 'first admin created from ADMIN_EMAIL');
      }
      this.loginHint = `admin login: ${adminEmail} with the password from ADMIN_PASSWORD`;
      return;
    }
    const file = join(projectRoot(), '.data', 'admin-credentials.txt');
    if ((await this.users.countAdmins()) > 0) {
      this.loginHint = existsSync(file)
        ? `admin login: ${DEFAULT_ADMIN_EMAIL}, password in ${file}`
        : 'admin login: use an existing admin account';
      return;
    }
    if (this.config.app.nodeEnv === 'production') {
      this.logger.warn('no admin exists: set ADMIN_EMAIL and ADMIN_PASSWORD, or run npm run seed');
      return;
    }
    const password = randomBytes(12).toString('base64url');
    await this.usersService.create(null, {
      email: DEFAULT_ADMIN_EMAIL,
      displayName: 'Administrator',
      role: 'admin',
      password,
    });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `email: ${DEFAULT_ADMIN_EMAIL}\npassword: ${password}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    this.loginHint = `admin login: ${DEFAULT_ADMIN_EMAIL}, password in ${file}`;
  }
}

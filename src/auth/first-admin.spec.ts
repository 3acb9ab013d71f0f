import type { Config } from 'src/config/config.types';
import { AuthErrorCode, AuthException } from './auth.exception';
import { FirstAdmin } from './first-admin';
import { PasswordPolicy } from './password-policy';
import type { UsersRepository } from './users.repository';
import type { UsersService } from './users.service';

describe('FirstAdmin', () => {
  const config = {
    app: { nodeEnv: 'production' },
    auth: {
      adminEmail: 'first.admin@example.org',
      adminPassword: 'password1234',
      passwordMinScore: 3,
    },
  } as Config;

  it('refuses to start with a weak ADMIN_PASSWORD, saying why', async () => {
    const policy = new PasswordPolicy(config);
    const users = { findByEmail: jest.fn().mockResolvedValue(null) } as unknown as UsersRepository;
    const usersService = {
      create: jest.fn((_caller: unknown, dto: { password: string; email: string }) =>
        policy.check(dto.password, dto),
      ),
    } as unknown as UsersService;
    try {
      await expect(
        new FirstAdmin(config, users, usersService).onApplicationBootstrap(),
      ).rejects.toThrow(
        /^ADMIN_PASSWORD is refused\. The password is too easy to guess .*commonly used password/,
      );
    } finally {
      await policy.onModuleDestroy();
    }
  });

  it('passes other failures on as they are', async () => {
    const users = { findByEmail: jest.fn().mockResolvedValue(null) } as unknown as UsersRepository;
    const taken = new AuthException(
      AuthErrorCode.EmailTaken,
      'A user with this e-mail already exists',
    );
    const usersService = { create: jest.fn().mockRejectedValue(taken) } as unknown as UsersService;
    await expect(new FirstAdmin(config, users, usersService).onApplicationBootstrap()).rejects.toBe(
      taken,
    );
  });
});

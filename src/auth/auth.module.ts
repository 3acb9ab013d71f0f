import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from 'src/audit/audit.module';
import { RateLimitModule } from 'src/common/rate-limit/rate-limit.module';
import { CONFIG } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginLimits } from './login-limits';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { SessionsRepository } from './sessions.repository';
import { JwtStrategy, LocalStrategy } from './strategies';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [
    AuditModule,
    RateLimitModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [CONFIG],
      useFactory: (config: Config) => ({
        secret: config.auth.jwtSecret,
        signOptions: {
          algorithm: 'HS256',
          expiresIn: config.auth.accessTokenTtlSeconds,
          issuer: config.auth.jwtIssuer,
          audience: config.auth.jwtAudience,
        },
        verifyOptions: {
          algorithms: ['HS256'],
          issuer: config.auth.jwtIssuer,
          audience: config.auth.jwtAudience,
        },
      }),
    }),
  ],
  controllers: [AuthController, UsersController],
  providers: [
    AuthService,
    UsersService,
    UsersRepository,
    SessionsRepository,
    PasswordHasher,
    PasswordPolicy,
    LoginLimits,
    LocalStrategy,
    JwtStrategy,
  ],
  exports: [AuthService, UsersService, UsersRepository, PasswordHasher],
})
export class AuthModule {}

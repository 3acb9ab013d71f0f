import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy as JwtStrategyBase } from 'passport-jwt';
import { Strategy as LocalStrategyBase } from 'passport-local';
import type { AuthUser, SessionCallerClaims } from 'src/common/auth/auth-user';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { AccessTokenClaims, AuthService } from './auth.service';
import type { UserEntity } from './entities/user.entity';
import { sessionCheckedByRoute } from './session-check';

@Injectable()
export class LocalStrategy extends PassportStrategy(LocalStrategyBase, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  validate(request: FastifyRequest, email: string, password: string): Promise<UserEntity> {
    return this.auth.validateCredentials(email, password, request.ip);
  }
}

@Injectable()
export class JwtStrategy extends PassportStrategy(JwtStrategyBase, 'jwt') {
  constructor(
    @InjectConfig() config: Config,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A key object, not the string: given a string, jsonwebtoken first tries (and fails) to parse
      // it as a public key on every request, which dominated the cost of casting a ballot.
      secretOrKey: createSecretKey(Buffer.from(config.auth.jwtSecret)) as unknown as string,
      algorithms: ['HS256'],
      issuer: config.auth.jwtIssuer,
      audience: config.auth.jwtAudience,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  validate(request: object, claims: AccessTokenClaims): Promise<AuthUser | SessionCallerClaims> {
    return sessionCheckedByRoute.has(request)
      ? Promise.resolve(this.auth.sessionCaller(claims))
      : this.auth.resolveAccessToken(claims);
  }
}

import { Global, Module } from '@nestjs/common';
import { RateLimits } from './rate-limits';

/** The limits' store, shared by the login, password, casting and public-route limits. */
@Global()
@Module({ providers: [RateLimits], exports: [RateLimits] })
export class RateLimitModule {}

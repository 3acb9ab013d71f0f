import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { BootChecks } from './boot-checks';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [BootChecks],
})
export class HealthModule {}

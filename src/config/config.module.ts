import { DynamicModule, Global, Inject, Module } from '@nestjs/common';
import type { Config } from './config.types';

export const CONFIG = Symbol('CONFIG');

/** Injects the whole validated configuration; services take the namespace they need from it. */
export const InjectConfig = (): ParameterDecorator => Inject(CONFIG);

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: CONFIG, useValue: config }],
      exports: [CONFIG],
    };
  }
}

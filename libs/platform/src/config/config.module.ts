import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnvironment } from './environment';

/** Loads and validates the environment once, at start-up, for every process. */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, cache: true, ignoreEnvFile: true, validate: validateEnvironment })],
})
export class PlatformConfigModule {}

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { env } from '@upm/platform';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AuthPolicy } from './auth/auth-policy.service';

async function bootstrap(): Promise<void> {
  const app = configureApp(await NestFactory.create(AppModule, { bufferLogs: true }));
  const config = app.get(ConfigService);
  // Migrations run in init; then refuse an exposed address without a key, before anything listens.
  await app.init();
  await app.get(AuthPolicy).assertSafeToServe();
  await app.listen(env(config, 'PORT'), env(config, 'HOST'));
}

bootstrap().catch((e: Error) => {
  // Config errors name the bad variable: print them plainly, not as a stack.
  process.stderr.write(`upm-planner api failed to start: ${e.message}\n`);
  process.exit(1);
});

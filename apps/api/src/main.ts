import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { env } from '@upm/platform';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';

async function bootstrap(): Promise<void> {
  const app = configureApp(await NestFactory.create(AppModule, { bufferLogs: true }));
  const port = env(app.get(ConfigService), 'PORT');
  await app.listen(port);
}

bootstrap().catch((e: Error) => {
  // Config errors name the bad variable: print them plainly, not as a stack.
  process.stderr.write(`upm-planner api failed to start: ${e.message}\n`);
  process.exit(1);
});

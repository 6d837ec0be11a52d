import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';
import { WORKER_ID } from './worker-identity';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  // SIGTERM/SIGINT close the queues gracefully: active jobs finish or are released for another worker.
  app.enableShutdownHooks();
  await app.init();
  logger.log(`worker ${WORKER_ID} ready`);
}

bootstrap().catch((e: Error) => {
  process.stderr.write(`upm-planner worker failed to start: ${e.message}\n`);
  process.exit(1);
});

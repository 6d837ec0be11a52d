import 'reflect-metadata';
import cluster from 'node:cluster';
import { NestFactory } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { env, validateEnvironment } from '@upm/platform';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AuthPolicy } from './auth/auth-policy.service';
import { serveClusterMetrics } from './metrics/cluster-metrics';

async function bootstrap(): Promise<void> {
  const app = configureApp(await NestFactory.create(AppModule, { bufferLogs: true }));
  const config = app.get(ConfigService);
  // Migrations run in init; then refuse an exposed address without a key, before anything listens.
  await app.init();
  await app.get(AuthPolicy).assertSafeToServe();
  await app.listen(env(config, 'PORT'), env(config, 'HOST'));
}

/**
 * API_PROCESSES > 1: this process only runs that many API processes on the one port (node:cluster hands them
 * the connections in turn); they share everything through the database and Redis (rate-limit counters
 * included; `/metrics` gathers every process's counters through this one). The first one starts alone (it
 * applies the migrations), the others once it listens. If one exits,
 * the others are stopped and this process exits non-zero, for the supervisor to restart the whole.
 */
async function supervise(processes: number): Promise<void> {
  let stopping = false;
  let exitCode = 0;
  const stopAll = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
  };
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping) process.stderr.write(`upm-planner api: process ${worker.process.pid} exited (${code ?? signal}); stopping the others\n`);
    // Asked to stop, a process ends with 0 or by the SIGTERM it got (Nest re-raises it once closed).
    const clean = stopping && (code === 0 || signal === 'SIGTERM');
    stopAll(clean ? 0 : 1);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stopAll(0));
  serveClusterMetrics();
  for (let i = 0; i < processes && !stopping; i++) {
    const worker = cluster.fork();
    await new Promise<void>((resolve) => {
      worker.once('listening', () => resolve());
      worker.once('exit', () => resolve());
    });
  }
  if (!stopping) process.stdout.write(`upm-planner api: ${processes} processes listening\n`);
}

function main(): Promise<void> {
  // The primary reads the one variable it needs the way the app does (validated, failing with its message).
  const processes = cluster.isPrimary ? validateEnvironment(process.env).API_PROCESSES : 1;
  return processes > 1 ? supervise(processes) : bootstrap();
}

main().catch((e: Error) => {
  // Config errors name the bad variable: print them plainly, not as a stack.
  process.stderr.write(`upm-planner api failed to start: ${e.message}\n`);
  process.exit(1);
});

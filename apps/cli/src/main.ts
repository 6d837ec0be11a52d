import { Command, CommanderError } from 'commander';
import { CliError } from '@upm/client';
import { registerAnalyzeCommands } from './commands/analyze.command';
import { registerDensityCommand } from './commands/density.command';
import { registerDumpCommands } from './commands/dump.command';
import { registerPlanCommands } from './commands/plan.command';
import { registerPlanRemoteCommands } from './commands/plan-remote.command';
import { registerPlanReportCommand } from './commands/plan-report.command';
import { registerServerCommands } from './commands/server.command';
import { registerTraceCommands } from './commands/trace.command';
import { registerTraceRemoteCommands } from './commands/trace-remote.command';

/** The `upm` command. Each command group lives in commands/ and registers itself here. */
export function buildProgram(): Command {
  const program = new Command('upm')
    .description('upm-planner: capacity planning for serverless hosts under none, KSM and UPM page merging')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDumpCommands(program);
  registerTraceRemoteCommands(registerTraceCommands(program));
  registerAnalyzeCommands(program);
  const plan = registerPlanCommands(program);
  registerPlanRemoteCommands(plan);
  registerPlanReportCommand(plan);
  registerDensityCommand(program);
  registerServerCommands(program);
  return program;
}

/**
 * A reader that closed the pipe (`upm ... | head`) ends the command quietly, as other command-line tools do,
 * instead of an EPIPE stack trace.
 */
const guarded = new WeakSet<NodeJS.WriteStream>();
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedPipe(process.stdout);
  exitQuietlyOnClosedPipe(process.stderr);
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander printed the message
    if (e instanceof CliError) {
      process.stderr.write(`upm: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`upm: unexpected error: ${(e as Error)?.stack ?? e}\n`);
    return 70;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}

/** A failure to report to the user as one line, with the process exit code (1 bad input, 2 bad usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

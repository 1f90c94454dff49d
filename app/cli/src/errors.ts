/** A failure the command line explains in one message and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 2: the input could not be used (missing file, wrong format, unreadable notebook); 1: the notebook has errors. */
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

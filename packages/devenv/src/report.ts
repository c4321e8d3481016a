/**
 * What the quickstart tells its user: one line per step, what it did and how to undo it, and,
 * when it cannot go on, a `SetupError` naming the one thing to do. Never a stack trace.
 */

/** A problem the user can fix; `fix` is the command (or the edit) that fixes it. */
export class SetupError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}

export function step(message: string): void {
  process.stdout.write(`▸ ${message}\n`);
}

export function detail(message: string): void {
  process.stdout.write(`  ${message}\n`);
}

export function printSetupError(error: SetupError): void {
  process.stderr.write(`\n✗ ${error.message}\n\n  Fix: ${error.fix}\n\n`);
}

/** Runs `main` (which may return an exit code), turning a SetupError into its message and exit 1. */
export function runCommand(main: () => Promise<number | undefined>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof SetupError) printSetupError(error);
      else process.stderr.write(`\n✗ ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

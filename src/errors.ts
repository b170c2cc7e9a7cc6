/**
 * An error the user can fix: bad input, a refused action, a missing record. The CLI prints its message alone
 * (no stack trace) and exits 1; the bot turns it into a toast. `code` names the rule, e.g. `DRAW.ALREADY_RUN`.
 */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A bad environment variable or database setting: the CLI prints its one line and exits 1 (see config.ts). */
export class ConfigError extends Error {}

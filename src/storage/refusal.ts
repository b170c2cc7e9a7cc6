/**
 * Errors with which the database refuses a write because another command got there first: a lock trigger
 * (`LOCKED: …`, SQLite's RAISE(ABORT) and PostgreSQL's P0001 alike), a unique key already taken, a
 * serialization failure or deadlock (PostgreSQL), or a write lock held too long (SQLite's "database is locked").
 * Callers re-read what they were about to change and turn the refusal into the UserError a user understands.
 */
export function isConcurrentRefusal(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (err.message.startsWith('LOCKED')) return true;
  if (typeof code !== 'string') return false;
  // PostgreSQL SQLSTATEs: unique_violation, serialization_failure, deadlock_detected.
  if (code === '23505' || code === '40001' || code === '40P01') return true;
  // better-sqlite3 error codes.
  return (
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_BUSY_SNAPSHOT'
  );
}

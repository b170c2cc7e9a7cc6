/**
 * Errors the draw raises. The CLI prints `message` as the one clear line; `code` lets callers branch
 * without parsing text.
 */
export type DrawErrorCode =
  | 'DRAW.SHORTFALL'
  | 'DRAW.K_EXCEEDS_POOL'
  | 'DRAW.PARAMETERS'
  | 'DRAW.UNKNOWN_ITEM'
  | 'DRAW.SNAPSHOT_FORMAT'
  | 'DRAW.STREAM_EXHAUSTED'
  | 'SUB.NOT_MEMBER'
  | 'SUB.UNKNOWN_TEAM'
  | 'SUB.SHORTFALL';

export class DrawError extends Error {
  override readonly name = 'DrawError';

  constructor(
    readonly code: DrawErrorCode,
    message: string,
    /** Structured facts behind the message (team, department, region, needed, available…). */
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
  }
}

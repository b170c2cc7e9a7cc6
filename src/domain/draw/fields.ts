/** The rule every snapshot field obeys (docs/draw-algorithm.md §2), shared by the builders of the three texts. */
import { DrawError } from './errors.ts';
import type { SnapshotName } from './snapshot.ts';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ANY_CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * A field may not be empty or hold a control character (tab and line break are the format's separators;
 * none at all keeps line order equal to identifier order), nor `extraForbidden`.
 */
export function field(snapshot: SnapshotName, what: string, value: string, extraForbidden = ''): string {
  if (
    value === '' ||
    ANY_CONTROL_CHARACTER.test(value) ||
    (extraForbidden !== '' && value.includes(extraForbidden))
  ) {
    throw new DrawError(
      'DRAW.SNAPSHOT_FORMAT',
      `${snapshot} snapshot: ${what} ${JSON.stringify(value)} is empty or holds a control character or separator`,
    );
  }
  return value;
}

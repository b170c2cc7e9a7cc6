import { conflicts } from './conflicts.ts';
import { departments } from './departments.ts';
import { inspectors } from './inspectors.ts';
import { items } from './items.ts';
import type { ImportKind, KindSpec } from './kind.ts';
import { targets } from './targets.ts';

export { IMPORT_KINDS, type ImportKind } from './kind.ts';

/** Every import kind, in the order their files depend on each other. */
export const KINDS: Record<ImportKind, KindSpec<string>> = {
  departments,
  items,
  targets,
  inspectors,
  conflicts,
} as unknown as Record<ImportKind, KindSpec<string>>;

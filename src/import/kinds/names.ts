/** The directory files `liancha import` reads, by name (in the order their references need). */
export const IMPORT_KINDS = ['departments', 'items', 'targets', 'inspectors', 'conflicts'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Shortest prefix of a head hash `audit verify --head` accepts: 48 bits, no accidental match in any real log. */
export const MIN_HEAD_PREFIX = 12;

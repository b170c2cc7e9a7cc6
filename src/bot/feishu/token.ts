/**
 * The tenant access token, fetched and cached by liancha itself rather than by the SDK: the SDK's cache is a
 * process-wide singleton it never refreshes on 99991663 (docs/feishu.md, "Client"), and clearing it meant reaching into
 * SDK internals. The SDK client is built with `disableTokenCache` and each call carries the token from here.
 */

export interface FetchedToken {
  token: string;
  /** Seconds the token stays valid, as Feishu says (`expire`). */
  expireSeconds: number;
}

export interface TenantTokens {
  /** The cached token, or a fresh one: one fetch for all concurrent callers. Rejects when the fetch fails. */
  get(): Promise<string>;
  /** Forgets `token` if it is still the cached one (a caller holding an older token does not undo a newer fetch). */
  invalidate(token?: string): void;
}

/**
 * Fetched tokens are kept until 3 minutes before Feishu's expiry (as the SDK did), so that a call never leaves
 * with a token that runs out on the way.
 */
export const TOKEN_MARGIN_MS = 3 * 60 * 1000;

/**
 * @example
 * const tokens = tenantTokens(() => fetchFromFeishu());
 * const token = await tokens.get();   // fetched once, then cached
 * tokens.invalidate(token);           // Feishu said 99991663: the next get() fetches again
 */
export function tenantTokens(fetchToken: () => Promise<FetchedToken>, now = Date.now): TenantTokens {
  let cached: { token: string; until: number } | null = null;
  let inFlight: Promise<string> | null = null;
  return {
    async get() {
      if (cached && cached.until > now()) return cached.token;
      inFlight ??= fetchToken()
        .then(({ token, expireSeconds }) => {
          cached = { token, until: now() + expireSeconds * 1000 - TOKEN_MARGIN_MS };
          return token;
        })
        .finally(() => (inFlight = null));
      return inFlight;
    },
    invalidate(token) {
      if (cached && (token === undefined || cached.token === token)) cached = null;
    },
  };
}

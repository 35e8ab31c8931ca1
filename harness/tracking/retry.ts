// Retry policy for talking to a tracking server. MLflow's Python client retries on
// connection errors, 429 and 5xx with exponential backoff; this follows the same rule,
// bounded, with a small jitter so parallel audits do not retry in lockstep.

export interface RetryPolicy {
  /** Further attempts after the first; 0 disables retrying. */
  retries: number;
  /** Delay before the first retry; doubled each time. */
  baseDelayMs: number;
  /** Upper bound on a single delay (Retry-After included). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * Delay before retry number `attempt` (1-based). A server's Retry-After (seconds) wins
 * when present and sane, still capped by maxDelayMs.
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfter?: string | null,
  random = Math.random,
): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxDelayMs);
  }
  const exp = policy.baseDelayMs * 2 ** (attempt - 1);
  const jitter = exp * 0.2 * random();
  return Math.min(exp + jitter, policy.maxDelayMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

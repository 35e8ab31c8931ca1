// How many replays `--replays auto` starts with and may grow to, as plain data: the
// CLI's --help states them, and must not load the scoring code to do so.

export const DEFAULT_MIN_REPLAYS = 3;
export const DEFAULT_MAX_REPLAYS = 20;

/** The first look: the rule's minimum, or the budget when that is smaller. */
export function firstLook(maxReplays: number): number {
  return Math.min(DEFAULT_MIN_REPLAYS, maxReplays);
}

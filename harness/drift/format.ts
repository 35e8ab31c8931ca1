/** How numbers read inside verdict sentences: short, but never hiding NaN/Infinity. */
export function fmt(x: number | null, digits = 6): string {
  if (x === null) return "missing";
  if (!Number.isFinite(x)) return String(x);
  if (Object.is(x, -0)) return "-0";
  return String(Number(x.toPrecision(digits)));
}

/** Deviations: fewer digits, since their order of magnitude is what matters. */
export function fmtDev(x: number | null): string {
  return fmt(x, 3);
}

/**
 * A replay's number as a person reads it, from its 0-based index (journal, folders,
 * the repro.replay_index tag): people count replays from 1, everywhere they see one.
 */
export function replayNumber(index: number): number {
  return index + 1;
}

/** "replay 2" for index 1. */
export function replayLabel(index: number): string {
  return `replay ${replayNumber(index)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

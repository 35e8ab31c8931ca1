/**
 * What every rendering shows for one metric beyond its verdict: the signed change
 * of each replay from the original, and where the original ranks among them.
 * Shared so Markdown, HTML and JUnit say the same thing in the same words.
 */
import type { MetricRank, MetricScore } from "../drift/schema.js";
import { MISSING, formatDeviation, formatValue } from "./format-number.js";
import { replayLabel } from "../drift/format.js";

function signed(text: string, n: number): string {
  return n > 0 ? `+${text}` : text;
}

/** "+1.6 / +3.11%": replay − original, absolute then relative to |original|. */
export function signedChange(original: number | null, value: number | null): string {
  if (original === null || value === null) return MISSING;
  if (!Number.isFinite(original) || !Number.isFinite(value))
    return Object.is(original, value) || (Number.isNaN(original) && Number.isNaN(value)) ? "0" : MISSING;
  const d = value - original;
  if (d === 0) return "0";
  const abs = signed(formatDeviation(d), d);
  if (original === 0) return abs;
  const rel = (100 * d) / Math.abs(original);
  return `${abs} / ${signed(formatDeviation(rel), rel)}%`;
}

/** Each replay's value and its signed change, in replay order (numbered from 1); `text` is both in one. */
export function replayValues(m: MetricScore): { label: string; value: string; change: string; text: string }[] {
  return m.replays.map((v, i) => {
    const value = formatValue(v);
    const change = signedChange(m.original, v);
    return { label: replayLabel(i), value, change, text: change === MISSING ? value : `${value} (${change})` };
  });
}

/** The mean replay's signed change from the original. */
export function meanChange(m: MetricScore): string {
  return m.stats === null ? MISSING : signedChange(m.original, m.stats.mean);
}

/** "better than 3 of 3 replays (lower is better), one-sided p = 0.25" */
export function rankText(r: MetricRank): string {
  const p = (x: number) => String(Number(x.toPrecision(2)));
  if (r.direction === null) {
    return `above ${r.below} of ${r.replays} replay${r.replays === 1 ? "" : "s"}${r.ties > 0 ? ` (${r.ties} tied)` : ""} (percentile ${Math.round(r.percentile)}, better direction unknown), two-sided p = ${p(r.pTwoSided)}`;
  }
  const better = r.direction === "lower" ? r.above : r.below;
  return `better than ${better} of ${r.replays} replay${r.replays === 1 ? "" : "s"}${r.ties > 0 ? ` (${r.ties} tied)` : ""} (${r.direction} is better), one-sided p = ${p(r.pBetter ?? 1)}`;
}

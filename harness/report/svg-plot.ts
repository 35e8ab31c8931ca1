/**
 * Inline SVG plots for the HTML report: no script, no external references.
 *
 * Coordinates are written only through `coord`, which refuses anything but a
 * finite number, so NaN/Infinity from a diverged run can never produce malformed
 * SVG; such values are drawn as labelled markers on the plot's floor instead.
 */
import type { HistoryPoint, MetricScore } from "../drift/schema.js";
import { formatDeviation, formatValue } from "./format-number.js";
import { html, type SafeHtml } from "./html-template.js";
import { thinSeries } from "./history-thinning.js";
import type { ReportHistory } from "./schema.js";
import { replayLabel } from "../drift/format.js";

export function coord(n: number): string {
  if (!Number.isFinite(n))
    throw new Error(`svg-plot: non-finite coordinate ${n} (a caller skipped the finiteness check)`);
  return (Math.round(n * 100) / 100).toString();
}

const W = 520;
const H = 196;
const PAD = { left: 92, right: 16, top: 18, bottom: 38 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

interface Scale {
  lo: number;
  hi: number;
  y(v: number): number;
}

/**
 * The range of finite values widened by `margin` of its span on each side; a degenerate
 * (or overflowing) range gets a tiny pad instead, so its points sit mid-plot.
 */
export function paddedRange(finite: readonly number[], margin: number): { lo: number; hi: number } {
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  if (hi - lo === 0 || !Number.isFinite(hi - lo)) {
    const pad = Math.max(Math.abs(lo) * 1e-9, 1e-12);
    return { lo: lo - pad, hi: hi + pad };
  }
  const m = (hi - lo) * margin;
  return { lo: lo - m, hi: hi + m };
}

/** A y scale over the finite values given; degenerate ranges get a small pad so points sit mid-plot. */
function yScale(values: readonly number[]): Scale | undefined {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return undefined;
  const { lo, hi } = paddedRange(finite, 0.08);
  if (!Number.isFinite(hi - lo)) return undefined;
  const span = hi - lo;
  return { lo, hi, y: (v) => PAD.top + PLOT_H - ((v - lo) / span) * PLOT_H };
}

/**
 * Tick labels: absolute values when they read apart, else offsets from `ref`
 * (replays that agree to 12 digits would otherwise all read the same).
 */
function yTicks(scale: Scale, ref: number | undefined): SafeHtml[] {
  const values = [scale.lo, (scale.lo + scale.hi) / 2, scale.hi];
  // Enough significant digits to tell the ticks apart, and no more.
  const span = scale.hi - scale.lo;
  const absolute = values.map((v) => {
    const digits = Math.min(12, Math.max(3, Math.ceil(Math.log10(Math.abs(v) / span)) + 2));
    return Number.isFinite(digits) && v !== 0 ? formatValue(Number(v.toPrecision(digits))) : formatValue(v);
  });
  const distinct = new Set(absolute).size === absolute.length;
  const note =
    distinct || ref === undefined
      ? []
      : [
          html`<text class="note" x="${coord(PAD.left)}" y="${coord(PAD.top - 5)}">axis: difference from the original ${formatValue(ref)}</text>`,
        ];
  return note.concat(
    values.map((v, i) => {
      const label =
        distinct || ref === undefined ? absolute[i] : `${v - ref >= 0 ? "+" : ""}${formatDeviation(v - ref)}`;
      const y = coord(scale.y(v));
      return html`<line class="grid" x1="${coord(PAD.left)}" x2="${coord(W - PAD.right)}" y1="${y}" y2="${y}"/><text class="tick" x="${coord(PAD.left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${label}</text>`;
    }),
  );
}

/** The absolute band the policy accepts around the original (the widest of abs, rel and ULP bounds). */
export function toleranceHalfWidth(original: number, tol: MetricScore["tolerance"]): number {
  const ulp = Math.abs(original) > 0 ? Math.abs(original) * Number.EPSILON : Number.MIN_VALUE;
  return Math.max(tol.abs, tol.rel * Math.abs(original), tol.ulps * ulp);
}

function nonFiniteLabel(v: number | null): string {
  if (v === null) return "missing";
  if (Number.isNaN(v)) return "NaN";
  return v > 0 ? "+Inf" : "-Inf";
}

/** Per metric: each replay as a dot (x = replay number) beside the original's line and its tolerance band. */
export function metricPlot(metric: MetricScore): SafeHtml {
  const orig = metric.original !== null && Number.isFinite(metric.original) ? metric.original : undefined;
  const half = orig !== undefined ? toleranceHalfWidth(orig, metric.tolerance) : undefined;
  const interval = metric.stats?.interval;
  const domain: number[] = metric.replays.filter((v): v is number => v !== null && Number.isFinite(v));
  if (orig !== undefined) domain.push(orig);
  // The band joins the domain only when it is comparable to the data; a band far
  // wider than the spread would flatten every dot onto the line.
  const spread = domain.length > 0 ? Math.max(...domain) - Math.min(...domain) : 0;
  if (orig !== undefined && half !== undefined && Number.isFinite(half) && (spread === 0 || half <= spread * 4))
    domain.push(orig - half, orig + half);
  if (
    interval &&
    Number.isFinite(interval.low) &&
    Number.isFinite(interval.high) &&
    (spread === 0 || interval.high - interval.low <= spread * 4)
  ) {
    domain.push(interval.low, interval.high);
  }
  const scale = yScale(domain);
  const n = metric.replays.length;
  const x = (i: number): number => PAD.left + ((i + 0.5) / Math.max(n, 1)) * PLOT_W;
  const floorY = PAD.top + PLOT_H - 4;
  const label = `Metric ${metric.name}: original ${formatValue(metric.original)}, ${n} replays`;

  const parts: SafeHtml[] = [];
  if (scale) {
    parts.push(...yTicks(scale, orig));
    const clampY = (v: number): number => Math.min(Math.max(scale.y(v), PAD.top), PAD.top + PLOT_H);
    if (interval && Number.isFinite(interval.low) && Number.isFinite(interval.high)) {
      const top = clampY(interval.high);
      const bottom = clampY(interval.low);
      parts.push(
        html`<rect class="interval" x="${coord(W - PAD.right - 8)}" y="${coord(top)}" width="6" height="${coord(Math.max(bottom - top, 1))}"><title>${interval.method} (${String(interval.level)}): ${formatValue(interval.low)} … ${formatValue(interval.high)}</title></rect>`,
      );
    }
    if (orig !== undefined && half !== undefined && Number.isFinite(half)) {
      const top = clampY(orig + half);
      const bottom = clampY(orig - half);
      parts.push(
        html`<rect class="band" x="${coord(PAD.left)}" y="${coord(top)}" width="${coord(PLOT_W - 10)}" height="${coord(Math.max(bottom - top, 1))}"><title>tolerance band: original ± ${formatDeviation(half)}</title></rect>`,
      );
      const y = coord(scale.y(orig));
      parts.push(
        html`<line class="original" x1="${coord(PAD.left)}" x2="${coord(W - PAD.right - 10)}" y1="${y}" y2="${y}"><title>original ${formatValue(orig)}</title></line>`,
      );
    }
    metric.replays.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const inside = orig !== undefined && half !== undefined && Math.abs(v - orig) <= half;
      const cls = orig === undefined ? "dot" : inside ? "dot inside" : "dot outside";
      parts.push(
        html`<circle class="${cls}" cx="${coord(x(i))}" cy="${coord(scale.y(v))}" r="5"><title>${replayLabel(i)}: ${formatValue(v)}</title></circle>`,
      );
    });
  } else {
    parts.push(
      html`<text class="empty" x="${coord(W / 2)}" y="${coord(H / 2)}" text-anchor="middle">no finite values to plot</text>`,
    );
  }
  metric.replays.forEach((v, i) => {
    if (v !== null && Number.isFinite(v)) return;
    const text = nonFiniteLabel(v);
    parts.push(
      html`<g class="nonfinite"><path d="M${coord(x(i) - 5)} ${coord(floorY - 5)} l10 10 m0 -10 l-10 10"/><text x="${coord(x(i))}" y="${coord(floorY - 10)}" text-anchor="middle">${text}</text><title>${replayLabel(i)}: ${text}</title></g>`,
    );
  });
  for (let i = 0; i < n; i++) {
    parts.push(
      html`<text class="tick" x="${coord(x(i))}" y="${coord(H - 22)}" text-anchor="middle">${String(i + 1)}</text>`,
    );
  }
  return html`<svg class="plot" viewBox="0 0 ${String(W)} ${String(H)}" width="${String(W)}" height="${String(H)}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg"><title>${label}</title><rect class="frame" x="${coord(PAD.left)}" y="${coord(PAD.top)}" width="${coord(PLOT_W)}" height="${coord(PLOT_H)}"/>${parts}<text class="axis" x="${coord(PAD.left + PLOT_W / 2)}" y="${coord(H - 6)}" text-anchor="middle">replay</text></svg>`;
}

/** Points per drawn series: reports before version 4 kept up to 500 per series; this keeps the SVG small. */
const DRAWN_POINTS = 300;

const thin = (points: readonly HistoryPoint[]): HistoryPoint[] => thinSeries(points, DRAWN_POINTS);

/** Splits a series at non-finite points: a polyline must not bridge a NaN. */
function segments(points: readonly HistoryPoint[]): HistoryPoint[][] {
  const out: HistoryPoint[][] = [];
  let current: HistoryPoint[] = [];
  for (const p of points) {
    if (Number.isFinite(p.value) && Number.isFinite(p.step)) current.push(p);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Step histories: the original as a dark line, each replay as a thin coloured line. */
export function historyPlot(name: string, history: ReportHistory): SafeHtml {
  const series: { label: string; cls: string; points: HistoryPoint[] }[] = [];
  if (history.original) series.push({ label: "original", cls: "hist original", points: thin(history.original) });
  history.replays.forEach((h, i) => {
    if (h) series.push({ label: replayLabel(i), cls: `hist replay r${i % 8}`, points: thin(h) });
  });
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.value) && Number.isFinite(p.step));
  const label = `History of ${name}: ${series.length} series`;
  const scale = yScale(all.map((p) => p.value));
  if (!scale || all.length === 0) {
    return html`<svg class="plot" viewBox="0 0 ${String(W)} ${String(H)}" width="${String(W)}" height="${String(H)}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg"><text class="empty" x="${coord(W / 2)}" y="${coord(H / 2)}" text-anchor="middle">no finite points to plot</text></svg>`;
  }
  const steps = all.map((p) => p.step);
  const s0 = Math.min(...steps);
  const s1 = Math.max(...steps);
  const sSpan = s1 - s0 > 0 && Number.isFinite(s1 - s0) ? s1 - s0 : 1;
  const x = (step: number): number => PAD.left + ((step - s0) / sSpan) * PLOT_W;
  // Replays first, the original last so it stays visible on top.
  const ordered = history.original ? [...series.slice(1), ...series.slice(0, 1)] : series;
  const lines = ordered.flatMap((s) =>
    segments(s.points).map(
      (seg) =>
        html`<polyline class="${s.cls}" points="${seg.map((p) => `${coord(x(p.step))},${coord(scale.y(p.value))}`).join(" ")}"><title>${s.label}</title></polyline>`,
    ),
  );
  return html`<svg class="plot" viewBox="0 0 ${String(W)} ${String(H)}" width="${String(W)}" height="${String(H)}" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg"><title>${label}</title><rect class="frame" x="${coord(PAD.left)}" y="${coord(PAD.top)}" width="${coord(PLOT_W)}" height="${coord(PLOT_H)}"/>${yTicks(scale, undefined)}${lines}<text class="tick" x="${coord(PAD.left)}" y="${coord(H - 22)}" text-anchor="start">${formatValue(s0)}</text><text class="tick" x="${coord(W - PAD.right)}" y="${coord(H - 22)}" text-anchor="end">${formatValue(s1)}</text><text class="axis" x="${coord(PAD.left + PLOT_W / 2)}" y="${coord(H - 6)}" text-anchor="middle">step</text></svg>`;
}

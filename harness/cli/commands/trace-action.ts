// What `repro-audit trace` does, loaded when it runs (its options: trace.ts).
import Table from "cli-table3";
import { describeSelection, parseSelection } from "../../selection/selection.js";
import { MlflowClient } from "../../tracking/client.js";
import type { TraceDocument } from "../../trace/document.js";
import { TRACE_ITEM_IDS, TRACE_ITEM_LABELS, TRACE_ITEM_SHORT, type TraceStatus } from "../../trace/item.js";
import { mlflowTraceReader } from "../../trace/mlflow-reader.js";
import { traceJob } from "../../trace/trace-job.js";
import { ExitCode } from "../exit-codes.js";
import { reportFailure, resolveTrackingForCli } from "../failure.js";
import { type SelectionDisplay, selectionDisplay } from "../selection-progress.js";
import { writeJsonDocument } from "../json-stream.js";
import { terminalLine } from "../terminal-text.js";
import { truncate } from "../truncate.js";

import type { TraceOptions } from "./trace.js";

const MARK: Record<TraceStatus, string> = { present: "✓", partial: "~", missing: "✗", not_applicable: "-" };
/** Runs up to which the gaps of every run are listed under the table without --details. */
const DETAIL_RUNS = 10;

/** Runs the trace and prints; returns the exit code. Never throws for expected failures. */
export async function traceAction(opts: TraceOptions): Promise<number> {
  // stderr only, so --json output stays one clean document on stdout.
  const display: SelectionDisplay | undefined =
    opts.progress === true || process.stderr.isTTY ? selectionDisplay(process.stderr) : undefined;
  try {
    const selection = parseSelection(opts, process.env);
    const tracking = await resolveTrackingForCli(opts);
    const client = MlflowClient.fromEnv({ ...process.env, MLFLOW_TRACKING_URI: tracking.uri });
    const doc = await traceJob({
      selection,
      trackingUri: tracking.uri,
      reader: mlflowTraceReader(client),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(display ? { onEvent: display.onEvent } : {}),
    });
    display?.stop();
    // Streamed a run at a time: 10,000 runs make a 35 MB document.
    if (opts.json) await writeJsonDocument(process.stdout, doc, "runs");
    else
      console.log(
        renderTrace(doc, {
          details: opts.details === true || doc.runs.length <= DETAIL_RUNS,
          selection: describeSelection(selection),
        }),
      );
    return ExitCode.ok;
  } catch (err) {
    display?.stop();
    return reportFailure("trace", err);
  }
}

/** The terminal rendering of a trace document: a compact table, then gaps and coverage. */
export function renderTrace(doc: TraceDocument, opts: { details: boolean; selection: string }): string {
  const table = new Table({
    head: ["run", "name", ...TRACE_ITEM_IDS.map((id) => TRACE_ITEM_SHORT[id]), "score"],
    style: { head: [], border: [] },
    // No rule between rows: a thousand runs stay a thousand lines.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const r of doc.runs) {
    const byId = new Map(r.items.map((i) => [i.id, i]));
    table.push([
      terminalLine(r.runId.slice(0, 8)),
      truncate(terminalLine(r.runName ?? ""), 24),
      ...TRACE_ITEM_IDS.map((id) => {
        const it = byId.get(id);
        return it ? MARK[it.status] : "?";
      }),
      percent(r.score.value),
    ]);
  }
  const lines: string[] = [];
  lines.push(
    `Traceability of ${terminalLine(opts.selection)} on ${terminalLine(doc.trackingUri)}: ${doc.runs.length} run${doc.runs.length === 1 ? "" : "s"}`,
  );
  lines.push(table.toString());
  lines.push("✓ present  ~ partial  ✗ missing  - not applicable");
  lines.push(`columns: ${TRACE_ITEM_IDS.map((id) => `${TRACE_ITEM_SHORT[id]}=${TRACE_ITEM_LABELS[id]}`).join(", ")}`);
  if (opts.details) {
    for (const r of doc.runs) {
      const gaps = r.items.filter((i) => i.status === "missing" || i.status === "partial");
      lines.push("");
      lines.push(
        `${terminalLine(r.runId)} (${terminalLine(r.runName ?? "unnamed")}): score ${percent(r.score.value)}, ${gaps.length === 0 ? "no gaps" : `${gaps.length} gap${gaps.length === 1 ? "" : "s"}`}`,
      );
      for (const g of gaps) lines.push(`  ${MARK[g.status]} ${g.label}: ${terminalLine(g.detail)}`);
    }
  } else {
    lines.push("");
    lines.push("Coverage per item (present / partial / missing / n.a.):");
    for (const c of doc.score.coverage) {
      lines.push(
        `  ${TRACE_ITEM_LABELS[c.id].padEnd(28)} ${c.present} / ${c.partial} / ${c.missing} / ${c.notApplicable}`,
      );
    }
  }
  lines.push("");
  lines.push(
    `Selection score: ${percent(doc.score.value)} (mean of ${doc.score.runs} run score${doc.score.runs === 1 ? "" : "s"}; formula in the --json output and harness/trace/README.md)`,
  );
  return lines.join("\n");
}

function percent(v: number | null): string {
  return v === null ? "n/a" : `${(v * 100).toFixed(1)}%`;
}

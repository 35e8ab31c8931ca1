import { InvalidArgumentError, type Command } from "commander";
import Table from "cli-table3";
import { type SelectionOptions, describeSelection, parseSelection } from "../../selection/selection.js";
import { MlflowClient } from "../../tracking/client.js";
import type { TraceDocument } from "../../trace/document.js";
import { TRACE_ITEM_IDS, TRACE_ITEM_LABELS, TRACE_ITEM_SHORT, type TraceStatus } from "../../trace/item.js";
import { FORMULA_TEXT } from "../../trace/score.js";
import { mlflowTraceReader } from "../../trace/mlflow-reader.js";
import { traceJob } from "../../trace/trace-job.js";
import { ExitCode } from "../exit-codes.js";
import { reportFailure, resolveTrackingForCli } from "../failure.js";
import { addSelectionOptions } from "../selection-options.js";
import { terminalJson, terminalLine } from "../terminal-text.js";
import { truncate } from "../truncate.js";

interface TraceOptions extends SelectionOptions {
  json?: boolean;
  trackingUri?: string;
  dataDir?: string;
  concurrency?: number;
  details?: boolean;
}

const MARK: Record<TraceStatus, string> = { present: "✓", partial: "~", missing: "✗", not_applicable: "-" };
/** Runs up to which the gaps of every run are listed under the table without --details. */
const DETAIL_RUNS = 10;

export function registerTraceCommand(program: Command): void {
  const cmd = program
    .command("trace")
    .description(
      "Check what each selected run recorded that a re-execution needs (params, metrics, source, git commit, " +
        "dirty state, repository, command, environments, dataset digests, seed, hardware, image) and score " +
        "its completeness. Nothing is re-executed.\n\n" +
        `Score: ${FORMULA_TEXT}\n\n` +
        "Exit codes: 0 done, 2 bad input (unknown experiment/run/model, invalid filter) or unreachable server.",
    );
  addSelectionOptions(cmd)
    .option("--json", "print the versioned JSON document (schema repro-audit/trace, version 1) instead of the table")
    .option("--details", "list every run's gaps under the table (default: only for up to 10 runs)")
    .option("--tracking-uri <uri>", "tracking server (default: $MLFLOW_TRACKING_URI, else the embedded server)")
    .option("--data-dir <dir>", "data folder of the embedded server, when it is used")
    .option("--concurrency <n>", "requests in flight at once (default 8)", parseConcurrency)
    .action(async (opts: TraceOptions) => {
      process.exitCode = await traceAction(opts);
    });
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError("must be a whole number from 1 to 64");
  return n;
}

/** Runs the trace and prints; returns the exit code. Never throws for expected failures. */
export async function traceAction(opts: TraceOptions): Promise<number> {
  try {
    const selection = parseSelection(opts, process.env);
    const tracking = await resolveTrackingForCli(opts);
    const client = MlflowClient.fromEnv({ ...process.env, MLFLOW_TRACKING_URI: tracking.uri });
    const doc = await traceJob({
      selection,
      trackingUri: tracking.uri,
      reader: mlflowTraceReader(client),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    });
    if (opts.json) console.log(terminalJson(JSON.stringify(doc, null, 2)));
    else
      console.log(
        renderTrace(doc, {
          details: opts.details === true || doc.runs.length <= DETAIL_RUNS,
          selection: describeSelection(selection),
        }),
      );
    return ExitCode.ok;
  } catch (err) {
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

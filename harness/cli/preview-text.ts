import type { RunPreview } from "../audit/replay-check.js";
import type { ImagePreview } from "../exec/executors.js";
import type { ReplayPlan } from "../plan/plan.js";
import { redactPlan } from "../plan/redact-plan.js";
import { ExitCode } from "./exit-codes.js";
import { terminalJson, terminalLine } from "./terminal-text.js";

// What `audit --dry-run` and `replay --dry-run` print: per run, the plan it would
// replay, the image it would run in, what would be compared, or why it cannot be
// replayed; as aligned text or as JSON. Pure: the previews come from
// audit/replay-pipeline.ts's previewReplay. Every value from the tracking server or
// the code goes through terminalLine, and plans are shown redacted.

/** Lists longer than this are cut, with the count of the rest. */
const LIST_LIMIT = 12;

/** The header facts of a preview: what was selected and how the replays would go. */
export interface PreviewContext {
  command: "audit" | "replay";
  /** the selection as a sentence; absent for `replay` (one run) */
  selection?: string;
  /** "auto (3 first, at most 20)", "3" */
  replays: string;
  executor: string;
}

/** 0 when every run can be replayed, 2 when any cannot (as the real command would exit before replaying). */
export function previewExitCode(runs: readonly Pick<RunPreview, "refusal">[]): number {
  return runs.some((r) => r.refusal !== undefined) ? ExitCode.usageOrInfra : ExitCode.ok;
}

function list(items: readonly string[], limit = LIST_LIMIT): string {
  const shown = items.slice(0, limit).map(terminalLine).join(", ");
  return items.length > limit ? `${shown} ... and ${items.length - limit} more` : shown;
}

/** `name==1.2` of a requirement line, its hashes and markers left out: the list stays readable. */
function requirementName(line: string): string {
  return line.trim().split(/\s+/)[0]?.replace(/;.*$/, "") ?? line;
}

function describeEnvironment(e: ReplayPlan["environment"]): string {
  const from = e.file !== undefined ? `${e.source} (${terminalLine(e.file)})` : e.source;
  const parts = [from];
  if (e.dockerImage !== undefined) parts.push(`image ${terminalLine(e.dockerImage)}`);
  if (e.python !== undefined) parts.push(`python ${terminalLine(e.python)}`);
  parts.push(
    e.requirements.length === 0
      ? "no requirements"
      : `${e.requirements.length} requirement(s): ${list(e.requirements.map(requirementName))}` +
          (e.requirements.length > LIST_LIMIT ? " (--json lists them all)" : ""),
  );
  if (e.ignored.length > 0) parts.push(`not honoured: ${list(e.ignored.map((i) => `${i.entry} (${i.reason})`))}`);
  if (e.tooling !== undefined && e.tooling.length > 0)
    parts.push(`notebook kernel and runner added: ${list(e.tooling.map(terminalLine))}`);
  return parts.join("; ");
}

/** The image line: nothing here was built; a tag is named only where it could be computed. */
export function describeImage(image: ImagePreview): string {
  switch (image.kind) {
    case "host":
      return "none: the local executor runs on the host (not isolated, not pinned)";
    case "named":
      return image.present
        ? `the MLproject's image ${terminalLine(image.image)} (${image.imageId ?? "present"})`
        : `the MLproject's image ${terminalLine(image.image)}: NOT in the engine (never pulled)`;
    case "recipe": {
      const base = image.basePresent
        ? `base ${image.base} (${image.baseSuite}, present, python ${image.basePython ?? "unknown"})`
        : `base ${image.base} (${image.baseSuite}, not built yet: debootstrap, about a minute)`;
      const env =
        image.tag === undefined
          ? "the image's cache tag follows from the base's ID, once it is built"
          : image.cached
            ? `${image.tag} (cached: reused, not built)`
            : `${image.tag} (not cached: wheels downloaded and built)`;
      const why = image.pythonChoice !== undefined ? `; ${terminalLine(image.pythonChoice)}` : "";
      return `${base} + ${image.requirements} requirement(s) -> ${env}${why}`;
    }
  }
}

function describeLimits(l: ReplayPlan["limits"]): string {
  return `timeout ${l.timeoutSeconds} s, memory ${l.memoryMb} MiB, ${l.cpus} CPU(s), ${l.pids} pids`;
}

function describeParams(params: Readonly<Record<string, string>>): string {
  const entries = Object.entries(params);
  return entries.length === 0
    ? "none"
    : list(
        entries.map(([k, v]) => `${k}=${v}`),
        20,
      );
}

/** One run's block: a head line, then aligned `key  value` rows. */
export function renderRunPreview(p: RunPreview): string {
  const name = p.runName !== undefined ? ` "${terminalLine(p.runName)}"` : "";
  const status = p.status !== undefined ? ` (${terminalLine(p.status)})` : "";
  const verdict = p.refusal === undefined ? "can be replayed" : "CANNOT be replayed";
  const rows: Array<[string, string]> = [];
  if (p.refusal !== undefined) rows.push(["why", terminalLine(p.refusal)]);
  if (p.plan !== undefined) {
    const plan = redactPlan(p.plan);
    rows.push(["command", `${terminalLine(plan.command)}  (from: ${plan.commandSource})`]);
    if (plan.entryPoint !== undefined) rows.push(["entry point", terminalLine(plan.entryPoint)]);
    rows.push(["params", describeParams(plan.params)]);
    if (plan.appendedParams !== undefined) rows.push(["appended", describeParams(plan.appendedParams)]);
    if (plan.defaulted.length > 0) rows.push(["defaulted", list(plan.defaulted)]);
    rows.push([
      "code",
      `${plan.code.source} ${terminalLine(plan.code.path)}${plan.code.commit !== undefined ? ` at ${terminalLine(plan.code.commit.slice(0, 12))}` : ""}`,
    ]);
    rows.push(["environment", describeEnvironment(plan.environment)]);
  }
  if (p.image !== undefined) rows.push(["image", describeImage(p.image)]);
  if (p.plan !== undefined) {
    const metrics = p.compared.metrics.length > 0 ? `metrics ${list(p.compared.metrics)}` : "no metrics";
    const artifacts =
      p.compared.artifacts === undefined
        ? "artifacts not compared"
        : p.compared.artifacts.length === 0
          ? "no artifacts"
          : `artifacts ${list(p.compared.artifacts)}`;
    // A notebook run's executed notebook is compared cell by cell (notebook-evidence.ts), not by hash.
    const cells = p.plan.notebook !== undefined ? `; cell outputs of ${terminalLine(p.plan.notebook.path)}` : "";
    rows.push(["compares", `${metrics}; ${artifacts}${cells}`]);
    rows.push(["limits", describeLimits(p.plan.limits)]);
    for (const n of p.plan.notes) rows.push(["note", terminalLine(n)]);
  }
  for (const n of p.notes) rows.push(["note", terminalLine(n)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `run ${terminalLine(p.runId)}${name}${status}: ${verdict}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ].join("\n");
}

/** The whole preview: a head line (what, how many, that nothing was done), then each run. */
export function renderPreview(ctx: PreviewContext, runs: readonly RunPreview[]): string {
  const refused = runs.filter((r) => r.refusal !== undefined).length;
  const what = ctx.selection !== undefined ? `${terminalLine(ctx.selection)}: ` : "";
  const head =
    `dry run of ${ctx.command}: ${what}${runs.length} run(s), ${runs.length - refused} can be replayed` +
    (refused > 0 ? `, ${refused} CANNOT` : "") +
    `; replays per run: ${ctx.replays}; executor ${ctx.executor}. Nothing was built, run or written.`;
  return [head, ...runs.map(renderRunPreview)].join("\n\n");
}

/** The preview as JSON (plans redacted), for scripts: the same facts as the text. */
export function previewJson(ctx: PreviewContext, runs: readonly RunPreview[]): string {
  const doc = {
    dryRun: true,
    command: ctx.command,
    ...(ctx.selection !== undefined ? { selection: ctx.selection } : {}),
    replays: ctx.replays,
    executor: ctx.executor,
    exitCode: previewExitCode(runs),
    runs: runs.map((r) => ({
      ...r,
      replayable: r.refusal === undefined,
      ...(r.plan !== undefined ? { plan: redactPlan(r.plan) } : {}),
    })),
  };
  return terminalJson(JSON.stringify(doc, null, 2));
}

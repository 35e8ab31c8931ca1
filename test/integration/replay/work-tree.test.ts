import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayJob } from "../../../harness/audit/replay-pipeline.js";
import type { JournalReplay } from "../../../harness/audit/journal.js";
import { dockerAvailable } from "../../support/engine-available.js";
import { useServerAndResults } from "../../support/mlflow-server.js";
import { recordScenarioRun } from "../../support/record-run.js";

// Each replay works in its own writable copy of the code (issue 10, item 3), with the
// real server and the real engine: a workload that writes ./outputs/ next to itself
// succeeds, what it wrote is listed, and the code folder, the other replay's copy,
// results/ and the harness's own files are untouched although it tries to write
// them, by their host paths and through a symlink out of the code folder.

const root = new URL("../../../", import.meta.url).pathname;
const fixture = join(root, "test/integration/replay/fixtures/work-tree");
const venvBin = join(root, ".venv/bin");
const sha = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

/** Every entry of a folder with its content (files), target (links) and mode, links never followed. */
function treeState(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const p = join(abs, name);
      const r = rel === "" ? name : `${rel}/${name}`;
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out.push(`${r}/ ${st.mode.toString(8)}`);
        walk(p, r);
      } else if (st.isSymbolicLink()) out.push(`${r} -> ${readlinkSync(p)}`);
      else out.push(`${r} ${st.mode.toString(8)} ${sha(readFileSync(p))} ${st.mtimeMs}`);
    }
  };
  walk(dir, "");
  return out;
}

describe.skipIf(!dockerAvailable)("each replay in its own copy of the code (real server, real engine)", () => {
  const ctx = useServerAndResults("repro-audit-work-tree-", { shared: true });
  let scratch: string;
  let code: string;
  let outside: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "repro-audit-work-tree-code-"));
    code = join(scratch, "code");
    outside = join(scratch, "outside");
    mkdirSync(join(code, "data"), { recursive: true });
    mkdirSync(outside);
    for (const f of ["scenario.yaml", "writer.py"]) copyFileSync(join(fixture, f), join(code, f));
    copyFileSync(join(root, "test/hostile/requirements.lock"), join(code, "requirements.lock"));
    writeFileSync(join(code, "data", "input.txt"), "input\n");
    symlinkSync(outside, join(code, "escape"));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const attempts = (auditDir: string, index: number): Record<string, { ok: boolean; error?: string }> =>
    JSON.parse(readFileSync(join(auditDir, "replays", String(index), "out", "attempts.json"), "utf8"));
  const outputsOf = (r: JournalReplay | undefined) =>
    (r?.workTree?.outputs ?? []).map((o) => [o.path, o.change, o.size, o.sha256]);

  it("docker: ./outputs written and listed; the code folder, the other copy, results/, the harness and a link's target untouched", async () => {
    const auditId = "work-tree-docker";
    const auditDir = join(ctx.results, auditId);
    const targets = [
      code, // the original code folder, by its host path
      join(auditDir, "replays", "1", "work"), // replay 1's copy, while it runs beside replay 0
      ctx.results,
      root, // the harness's own files
      outside, // the symlink's target, by its path
    ];
    const runId = await recordScenarioRun(ctx.server.url, [
      "--experiment",
      "work-tree",
      "--train",
      join(code, "writer.py"),
      "--param",
      `targets=${targets.join(":")}`,
    ]);
    const before = treeState(code);

    const res = await replayJob({
      runId,
      replays: 2,
      parallel: 2,
      executor: "docker",
      scenarioDir: code,
      auditId,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
    });

    expect(res.summary.records).toHaveLength(2);
    for (const rec of res.summary.records) {
      expect(rec.status, `${rec.failure?.message ?? ""}\n${rec.stderrTail}`).toBe("finished");
      const tried = attempts(res.auditDir, rec.index);
      expect(tried["write ./outputs"], JSON.stringify(tried)).toEqual({ ok: true, result: "outputs/x.txt" });
      expect(tried["modify its code"]?.ok).toBe(true);
      // The link out of the code folder is not in the copy.
      expect(tried["escape link"]?.ok, JSON.stringify(tried["escape link"])).toBe(false);
      expect(rec.workTree?.copied).toBe(true);
      expect(outputsOf(rec)).toEqual([
        ["data/input.txt", "modified", 11, sha("input\nmore\n")],
        ["outputs/x.txt", "added", 14, sha("replay output\n")],
      ]);
      expect(rec.workTree?.notes.some((n) => /symlink escape -> .* points outside the code folder/.test(n))).toBe(true);
      // The copy is gone once the replay is done.
      expect(existsSync(join(res.auditDir, "replays", String(rec.index), "work"))).toBe(false);
    }
    // Whatever the workload managed inside its container (its /tmp is its own tmpfs), the host has none of it.
    expect(treeState(code)).toEqual(before);
    for (const t of targets) expect(existsSync(join(t, "pwned.txt")), t).toBe(false);
    expect(readdirSync(outside)).toEqual([]);
  }, 600_000);

  it("local: its own copy too, the command run inside it; the code folder untouched", async () => {
    const runId = await recordScenarioRun(ctx.server.url, [
      "--experiment",
      "work-tree-local",
      "--train",
      join(code, "writer.py"),
    ]);
    const before = treeState(code);
    const res = await replayJob({
      runId,
      replays: 1,
      parallel: 1,
      executor: "local",
      scenarioDir: code,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
      env: { ...process.env, PATH: `${venvBin}:${process.env["PATH"] ?? "/usr/bin:/bin"}` },
    });
    const [rec] = res.summary.records;
    expect(rec?.status, `${rec?.failure?.message ?? ""}\n${rec?.stderrTail ?? ""}`).toBe("finished");
    expect(attempts(res.auditDir, 0)["write ./outputs"]?.ok).toBe(true);
    expect(attempts(res.auditDir, 0)["escape link"]?.ok).toBe(false);
    expect(outputsOf(rec)).toEqual([
      ["data/input.txt", "modified", 11, sha("input\nmore\n")],
      ["outputs/x.txt", "added", 14, sha("replay output\n")],
    ]);
    expect(treeState(code)).toEqual(before);
    expect(readdirSync(outside)).toEqual([]);
  }, 300_000);
});

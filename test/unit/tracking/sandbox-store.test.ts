import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SANDBOX_LIMITS, parseMetricFile, readSandboxStore } from "../../../harness/tracking/sandbox-store.js";

// The fixture store was written by the real MLflow 3.17 client into a file store, the
// way a replay's workload writes its sandbox: a run with params, tags (one in the
// harness's namespace), a step history, NaN and Inf, nested keys, an artifact, a
// nested child run and a model registration.
const fixture = new URL("../../fixtures/sandbox-store/mlruns", import.meta.url).pathname;
const MAIN = "85baa00f9f5a45a18c35dfd57b391b12";
const CHILD = "344453a7ac2b4dd2a44e4b27736ed135";

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});
function copyOfFixture(): string {
  scratch = mkdtempSync(join(tmpdir(), "sandbox-store-"));
  const dir = join(scratch, "mlruns");
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

describe("readSandboxStore", () => {
  it("reads runs, params, tags, every metric point and artifacts as MLflow wrote them", () => {
    const store = readSandboxStore(fixture);
    expect(store.problems).toEqual([]);
    expect(store.runs.map((r) => r.runId).sort()).toEqual([CHILD, MAIN].sort());
    const main = store.runs.find((r) => r.runId === MAIN);
    expect(main?.status).toBe("FINISHED");
    expect(main?.runName).toBe("main");
    expect(main?.params).toEqual({ alpha: "0.5", "nested/p": "x" });
    expect(main?.tags["team"]).toBe("wine");
    expect(main?.tags["repro.verdict"]).toBe("reproduced");
    const loss = main?.metrics.filter((m) => m.key === "loss").map((m) => [m.step, m.value]);
    expect(loss).toEqual([
      [0, 1],
      [1, 0.5],
      [2, 1 / 3],
    ]);
    const value = (k: string) => main?.metrics.find((m) => m.key === k)?.value;
    expect(value("diverged")).toBeNaN();
    expect(value("blowup")).toBe(Number.POSITIVE_INFINITY);
    expect(value("group/acc")).toBe(0.75);
    expect(main?.artifacts.map((a) => [a.path, a.size])).toEqual([["model/model.pkl", 11]]);
    expect(store.runs.find((r) => r.runId === CHILD)?.parentRunId).toBe(MAIN);
    expect(store.registrations).toEqual(["Stolen version 1"]);
  });

  it("is empty, without problems, where the workload never used MLflow", () => {
    expect(readSandboxStore(join(tmpdir(), "no-such-store-here"))).toEqual({
      runs: [],
      registrations: [],
      problems: [],
    });
  });

  it("follows no symlink the workload planted, and says so", () => {
    const dir = copyOfFixture();
    const artifacts = join(dir, "0", MAIN, "artifacts");
    symlinkSync("/etc/passwd", join(artifacts, "passwd"));
    symlinkSync("/etc", join(artifacts, "etc"));
    symlinkSync("/etc/hostname", join(dir, "0", MAIN, "params", "host"));
    const store = readSandboxStore(dir);
    const main = store.runs.find((r) => r.runId === MAIN);
    expect(main?.artifacts.map((a) => a.path)).toEqual(["model/model.pkl"]);
    expect(main?.params["host"]).toBeUndefined();
    expect(store.problems.filter((p) => p.includes("symlink"))).toHaveLength(3);
  });

  it("never trusts a path written inside the store: artifacts come from the run's own folder", () => {
    const dir = copyOfFixture();
    const meta = join(dir, "0", MAIN, "meta.yaml");
    writeFileSync(
      meta,
      `artifact_uri: file:///etc\nrun_id: ${MAIN}\nexperiment_id: '0'\nstatus: 3\nstart_time: 1\nlifecycle_stage: active\n`,
    );
    const main = readSandboxStore(dir).runs.find((r) => r.runId === MAIN);
    expect(main?.artifacts.every((a) => a.file.startsWith(join(dir, "0", MAIN, "artifacts")))).toBe(true);
  });

  it("bounds what it reads: oversized files and too many runs are left out and named", () => {
    const dir = copyOfFixture();
    writeFileSync(join(dir, "0", MAIN, "params", "huge"), "x".repeat(2048));
    const store = readSandboxStore(dir, { ...DEFAULT_SANDBOX_LIMITS, maxSmallFileBytes: 1024, maxRuns: 1 });
    expect(store.runs).toHaveLength(1);
    expect(store.problems.some((p) => p.includes("more than 1 runs"))).toBe(true);
  });

  it("skips a run whose meta.yaml is not MLflow's, with the reason", () => {
    const dir = copyOfFixture();
    writeFileSync(join(dir, "0", CHILD, "meta.yaml"), "run_id: ../../etc\nstatus: 3\nexperiment_id: '0'\n");
    const store = readSandboxStore(dir);
    expect(store.runs.map((r) => r.runId)).toEqual([MAIN]);
    expect(store.problems.some((p) => p.includes("not an MLflow meta.yaml"))).toBe(true);
  });
});

describe("parseMetricFile", () => {
  it("reads Python's float spellings and leaves out lines that are not points", () => {
    const problems: string[] = [];
    const pts = parseMetricFile("m", "1 0.5 0\n2 nan 1\n3 -inf 2\n4 1e-3 3\nrm -rf /\n5 2.0\n", problems);
    expect(pts.map((p) => p.value)).toEqual([0.5, Number.NaN, Number.NEGATIVE_INFINITY, 0.001, 2]);
    expect(pts.at(-1)?.step).toBe(0);
    expect(problems).toEqual(['metric m: 1 line(s) are not "timestamp value step" and were left out']);
  });

  // MLflow 3's FileStore._log_run_metric appends the dataset a metric was computed on
  // ("timestamp value step dataset_name dataset_digest"): sklearn autolog's training
  // metrics are written so. Its own reader takes 3 or 5 fields (_get_metric_from_line).
  it("reads the points MLflow 3 writes with a dataset name and digest, as MLflow's reader does", () => {
    const problems: string[] = [];
    const text = "1764694848000 57.27 0 dataset 6f1a2b3c\n1764694848001 0.5 1 dataset\n";
    const pts = parseMetricFile("training_mean_squared_error", text, problems);
    expect(pts).toEqual([{ key: "training_mean_squared_error", value: 57.27, timestamp: 1764694848000, step: 0 }]);
    expect(problems).toHaveLength(1);
  });
});

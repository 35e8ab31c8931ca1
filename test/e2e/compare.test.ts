import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CompareReport, OVERHEAD_MEASURES, parseCompareReport } from "../../harness/compare/schema.js";
import { buildCli, projectDir, runCliProcess } from "../support/cli.js";
import { dockerAvailable as dockerOk } from "../support/engine-available.js";
import { type TestServer, startTestServer } from "../support/mlflow-server.js";
import { venvPython } from "../support/record-run.js";

// `repro-audit compare` end to end on scenarios/basic (seeded): the real CLI, a real
// MLflow server (the executions' runs are imported into it), the real engine and the
// real pinned image, the capture plugin's wheel built and installed for its arm.
// Two executions per arm, interleaved. The HTML is then opened in real Chromium.

const CHROMIUM = process.env["CHROMIUM_BIN"] ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(
    `\n*** SKIPPING the compare HTML check in Chromium: ${CHROMIUM} not found (scripts/ensure-chromium.sh installs it). ***\n`,
  );

describe.skipIf(!dockerOk)("repro-audit compare on scenarios/basic (real server, real engine)", () => {
  let server: TestServer;
  let results: string;
  let code: number;
  let stdout: string;
  let stderr: string;
  let doc: CompareReport;
  const id = "compare-e2e";

  beforeAll(async () => {
    const build = buildCli("dist/harness/cli/commands/compare-action.js");
    server = await startTestServer();
    results = mkdtempSync(join(tmpdir(), "repro-audit-e2e-compare-"));
    const env: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
    await build;
    const r = await runCliProcess(
      ["compare", "--scenario", "scenarios/basic", "--replays", "2", "--results-dir", results, "--compare-id", id],
      env,
      400_000,
    );
    ({ code, stdout, stderr } = r);
    const file = join(results, id, "report.json");
    if (!existsSync(file)) throw new Error(`no report.json (exit ${code}):\n${stderr.slice(-3000)}`);
    doc = parseCompareReport(readFileSync(file, "utf8"), file);
  }, 500_000);
  afterAll(async () => {
    await server?.stop();
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it("runs every arm twice, interleaved, and the seeded workload's arms agree: exit 0", () => {
    expect({ code, reasons: doc.outcome.reasons }).toEqual({ code: 0, reasons: [] });
    expect(doc.arms.map((a) => [a.id, a.refusal, a.executions.length])).toEqual([
      ["untracked", undefined, 2],
      ["mlflow", undefined, 2],
      ["mlflow+capture", undefined, 2],
    ]);
    expect(doc.order.map((o) => `${o.arm}#${o.index}`)).toEqual([
      "untracked#0",
      "mlflow#0",
      "mlflow+capture#0",
      "untracked#1",
      "mlflow#1",
      "mlflow+capture#1",
    ]);
    for (const a of doc.arms) expect(a.verdict?.verdict).toBe("reproduced");
    expect(doc.equivalence.map((r) => r.metric).sort()).toEqual(["mae", "mae", "r2", "r2", "rmse", "rmse"]);
    for (const r of doc.equivalence) expect(r.verdict).toBe("identical");
    // The untracked arm read its metrics from metrics.json: the same values as MLflow's.
    const untracked = doc.arms[0]?.metrics.find((m) => m.name === "rmse");
    expect(untracked?.values.every((v) => typeof v === "number" && v > 0)).toBe(true);
    expect(doc.arms[0]?.command).toMatch(/--no-tracking$/);
  });

  it("measures every overhead figure, positive, with ratios against the untracked arm", () => {
    for (const a of doc.arms) {
      for (const e of a.executions) {
        expect(e.status).toBe("finished");
        for (const m of OVERHEAD_MEASURES) expect({ arm: a.id, m, v: e[m] }).toMatchObject({ v: expect.any(Number) });
        for (const m of OVERHEAD_MEASURES) expect(e[m] as number).toBeGreaterThan(0);
      }
    }
    for (const a of doc.arms.slice(1))
      for (const m of OVERHEAD_MEASURES) expect(a.overhead?.[m].ratio).toBeGreaterThan(0);
    // Tracking writes a run store: more bytes than the untracked arm's metrics.json and model.
    expect(doc.arms[1]?.overhead?.writtenBytes.ratio).toBeGreaterThan(1);
  });

  it("scores what each arm recorded: untracked 0, the capture plugin more than MLflow alone", () => {
    const [untracked, mlflow, capture] = doc.arms;
    expect(untracked?.traceability.score).toBe(0);
    expect(mlflow?.traceability.score).toBeGreaterThan(0);
    expect(capture?.traceability.score).toBeGreaterThan(mlflow?.traceability.score as number);
  });

  it("writes the Markdown and HTML beside the JSON, and prints the side-by-side table", () => {
    expect(readFileSync(join(results, id, "report.md"), "utf8")).toContain("## Side by side");
    expect(readFileSync(join(results, id, "report.html"), "utf8")).toContain('<svg class="plot"');
    expect(stdout).toContain("arms agree, and each arm is reproducible (exit 0)");
    expect(stderr).toMatch(/MLflow \+ capture: execution 2 finished/);
  });

  describe.skipIf(!haveChromium)("the HTML in headless Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it("renders the plots and tables with no request, no script error", async () => {
      const url = pathToFileURL(join(results, id, "report.html")).href;
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on("request", (r) => {
        if (r.url() !== url) requests.push(r.url());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(url);
      expect(await page.locator("svg.plot").count()).toBe(3 + OVERHEAD_MEASURES.length);
      expect(await page.locator("svg circle.armdot").count()).toBe(3 * 3 * 2);
      expect(await page.locator("table.side th").allTextContents()).toEqual([
        "",
        "untracked",
        "MLflow",
        "MLflow + capture",
      ]);
      const box = await page.locator("svg.plot").first().boundingBox();
      expect(box?.width).toBeGreaterThan(200);
      expect({ requests, errors }).toEqual({ requests: [], errors: [] });
      await page.close();
    });
  });

  // Two more workload forms, two arms each (the untracked and the MLflow images are the ones
  // above, or the audit-notebook test's): a recorded run, and a notebook.
  it("--code CHECKOUT --run ID binds the run's logged params: each arm reproduces the run's own numbers", async () => {
    // The author's checkout: scenarios/basic as a git repo of its own, the run recorded by
    // `python train.py ...` from it, as its author would (MLflow tags the commit and script).
    const repo = join(results, "checkout");
    cpSync(join(projectDir, "scenarios/basic"), repo, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args]);
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "basic");
    execFileSync(venvPython, ["train.py", "--seed", "7", "--alpha", "0.3"], {
      cwd: repo,
      env: { ...process.env, MLFLOW_TRACKING_URI: server.url, MLFLOW_EXPERIMENT_NAME: "compare-e2e-run" },
    });
    const api = async <T>(path: string, body?: unknown): Promise<T> =>
      (await (
        await fetch(`${server.url}/api/2.0/mlflow/${path}`, {
          ...(body !== undefined
            ? { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }
            : {}),
        })
      ).json()) as T;
    const { experiment } = await api<{ experiment: { experiment_id: string } }>(
      "experiments/get-by-name?experiment_name=compare-e2e-run",
    );
    const found = await api<{
      runs: { info: { run_id: string }; data: { metrics: { key: string; value: number }[] } }[];
    }>("runs/search", { experiment_ids: [experiment.experiment_id] });
    const recorded = found.runs[0];
    const runId = recorded?.info.run_id ?? "";
    const rmse = recorded?.data.metrics.find((m) => m.key === "rmse")?.value;
    const env: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
    const runCompare = "compare-e2e-run";
    const r = await runCliProcess(
      ["compare", "--code", repo, "--run", runId, "--arms", "untracked,mlflow", "--replays", "2"].concat([
        "--results-dir",
        results,
        "--compare-id",
        runCompare,
        "--attach-experiment",
        "compare-e2e-studies",
      ]),
      env,
      300_000,
    );
    const file = join(results, runCompare, "report.json");
    if (!existsSync(file)) throw new Error(`no report.json (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
    const d = parseCompareReport(readFileSync(file, "utf8"), file);
    expect({ code: r.code, runId: d.workload.runId, reasons: d.outcome.reasons }).toEqual({
      code: 0,
      runId,
      reasons: [],
    });
    expect(d.workload.params).toMatchObject({ alpha: "0.3", seed: "7" });
    expect(rmse).toBeTypeOf("number");
    for (const arm of d.arms) expect(arm.metrics.find((m) => m.name === "rmse")?.values).toEqual([rmse, rmse]);

    // --attach-experiment: the study is kept in MLflow, on a run of its own.
    const studies = await api<{ experiment: { experiment_id: string } }>(
      "experiments/get-by-name?experiment_name=compare-e2e-studies",
    );
    const held = await api<{
      runs: {
        info: { run_id: string; status: string };
        data: { tags: { key: string; value: string }[]; metrics: { key: string; value: number }[] };
      }[];
    }>("runs/search", { experiment_ids: [studies.experiment.experiment_id] });
    expect(held.runs).toHaveLength(1);
    const study = held.runs[0];
    const tags = Object.fromEntries((study?.data.tags ?? []).map((t) => [t.key, t.value]));
    expect({
      status: study?.info.status,
      compare: tags["repro.compare"],
      outcome: tags["repro.compare_outcome"],
    }).toEqual({
      status: "FINISHED",
      compare: runCompare,
      outcome: "agree",
    });
    expect(study?.data.metrics.find((m) => m.key === "overhead.mlflow.wallSeconds")?.value).toBeGreaterThan(0);
    const listed = await api<{ files?: { path: string }[] }>(
      `artifacts/list?run_id=${study?.info.run_id}&path=repro-audit/${runCompare}`,
    );
    expect((listed.files ?? []).map((f) => f.path).sort()).toEqual(
      ["report.html", "report.json", "report.md"].map((f) => `repro-audit/${runCompare}/${f}`),
    );
    expect(r.stdout).toContain(`attached: run ${study?.info.run_id} in experiment compare-e2e-studies`);
  }, 320_000);

  it("accepts a notebook workload: untracked from the notebook's metrics.json, MLflow from its run", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
    const nbCompare = "compare-e2e-notebook";
    const r = await runCliProcess(
      ["compare", "--scenario", "notebooks/basic", "--arms", "untracked,mlflow", "--replays", "2"].concat([
        "--results-dir",
        results,
        "--compare-id",
        nbCompare,
      ]),
      env,
      600_000,
    );
    const file = join(results, nbCompare, "report.json");
    if (!existsSync(file)) throw new Error(`no report.json (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
    const d = parseCompareReport(readFileSync(file, "utf8"), file);
    expect({ code: r.code, reasons: d.outcome.reasons }).toEqual({ code: 0, reasons: [] });
    expect(d.arms.map((a) => [a.id, a.refusal, a.executions.length])).toEqual([
      ["untracked", undefined, 2],
      ["mlflow", undefined, 2],
    ]);
    expect(d.equivalence.map((e) => [e.metric, e.verdict]).sort()).toEqual([
      ["mae", "identical"],
      ["r2", "identical"],
      ["rmse", "identical"],
    ]);
  }, 620_000);
});

import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../harness/report/schema.js";
import { parseReport } from "../../harness/report/serialize.js";
import { buildCli, projectDir, runCliProcess } from "../support/cli.js";
import { dockerAvailable as dockerOk } from "../support/engine-available.js";
import { type TestServer, startTestServer } from "../support/mlflow-server.js";
import { ensureNotebookVenv } from "../support/notebook-venv.js";

// A notebook run end to end: notebooks/basic executed for real in a Jupyter kernel on
// the host (nbclient + ipykernel, MLflow logging from inside the notebook, the executed
// notebook logged as an artifact, as a papermill pipeline does), recorded on a real
// server, audited by the compiled CLI with replays headless in the pinned image. Seeded:
// every metric and every cell's output identical. Unseeded (seed = -1 injected): the
// report names the first cell whose output differs, with a unified diff, in JSON,
// Markdown and HTML (opened in Chromium, which the reference screenshot comes from).

const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(
    `\n*** notebook e2e: ${CHROMIUM} not found; the report is not opened in Chromium (scripts/ensure-chromium.sh) ***\n`,
  );
/** REPRO_AUDIT_UPDATE_REFERENCE=1 copies the unseeded audit's report and screenshot to results/reference/notebooks/. */
const REFERENCE = join(projectDir, "results/reference/notebooks");

describe.skipIf(!dockerOk)("repro-audit audit of a notebook run (CLI, real kernel, real server, real engine)", () => {
  let server: TestServer;
  let results: string;
  let env: NodeJS.ProcessEnv;
  let seededRun: string;
  let unseededRun: string;

  const record = async (python: string, experiment: string, inject?: string): Promise<string> => {
    const out = await execa(python, [
      join(projectDir, "test/python/record_notebook_run.py"),
      "--tracking-uri",
      server.url,
      "--experiment",
      experiment,
      "--notebook",
      join(projectDir, "notebooks/basic/basic.ipynb"),
      ...(inject !== undefined ? ["--inject", inject] : []),
    ]);
    return (JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "") as { run_id: string }).run_id;
  };
  const audit = (runId: string, auditId: string) =>
    runCliProcess(
      [
        "audit",
        "--run",
        runId,
        "--scenario",
        "notebooks/basic",
        "--replays",
        "2",
        "--no-publish",
        "--results-dir",
        results,
        "--audit-id",
        auditId,
      ],
      env,
    );
  const readDoc = (auditId: string): Report => {
    const path = join(results, auditId, "report.json");
    return parseReport(readFileSync(path, "utf8"), path);
  };

  beforeAll(async () => {
    const build = buildCli("dist/harness/cli/commands/audit.js");
    server = await startTestServer({ shared: true });
    results = mkdtempSync(join(tmpdir(), "repro-audit-notebook-"));
    const python = await ensureNotebookVenv();
    [seededRun, unseededRun] = await Promise.all([
      record(python, "notebook-seeded"),
      record(python, "notebook-unseeded", "seed = -1"),
    ]);
    env = { ...process.env, MLFLOW_TRACKING_URI: server.url };
    delete env["MLFLOW_TRACKING_TOKEN"];
    await build;
  }, 600_000);
  afterAll(async () => {
    await server?.stop();
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it("replays the seeded notebook headless: reproduced, every cell's output identical to the original's", async () => {
    const r = await audit(seededRun, "nb-seeded");
    expect(r.stderr).not.toMatch(/repro-audit audit: /);
    expect(r.code).toBe(0);
    const run = readDoc("nb-seeded").runs[0];
    if (!run) throw new Error("no run");
    expect(run.score.verdict).toBe("reproduced");
    expect(run.metrics.map((m) => [m.name, m.verdict])).toEqual([
      ["mae", "identical"],
      ["r2", "identical"],
      ["rmse", "identical"],
    ]);
    expect(run.plan?.source).toBe("notebook");
    // The params as logged, injected after the parameters cell, typed as the scenario declares them.
    expect(run.plan?.command).toContain("notebook_runner.py");
    expect(run.plan?.command).toContain('seed = int("42")');
    expect(run.score.findings.join("\n")).toMatch(
      /notebook run: the scenario's entry is the notebook basic\.ipynb; the run was recorded from a Jupyter kernel/,
    );
    expect(run.notebook).toMatchObject({
      path: "basic.ipynb",
      evidence: "scenario",
      originalArtifact: "notebook/basic.ipynb",
      reference: "original",
      originalRecorded: true,
      cells: 6,
    });
    expect(run.notebook?.replays.map((x) => [x.replay, x.differing.length])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    // The executed notebook compared cell by cell is not also compared by hash.
    expect(run.artifacts.map((a) => a.path)).not.toContain("notebook/basic.ipynb");
  }, 300_000);

  it("replays the unseeded notebook: the report names the first cell whose output differs, with a unified diff", async () => {
    const r = await audit(unseededRun, "nb-unseeded");
    expect(r.code).not.toBe(2);
    const doc = readDoc("nb-unseeded");
    const run = doc.runs[0];
    if (!run) throw new Error("no run");
    expect(run.score.verdict).not.toBe("reproduced");
    const nb = run.notebook;
    expect(nb?.originalRecorded).toBe(true);
    // The split is the first thing the seed decides: the cell printing the first test targets.
    for (const replay of nb?.replays ?? []) {
      expect(replay.differing[0]).toMatchObject({ id: "basic-3" });
      expect(replay.differing[0]?.diff).toMatch(/^--- original\n\+\+\+ replay \d\n@@ /);
      expect(replay.differing[0]?.diff).toMatch(/^-\[stdout\] first test targets /m);
    }
    expect(run.score.findings).toContain(
      `notebook: replay 1 first differs from the original at cell 4 (id basic-3), ${nb?.replays[0]?.differing.length} cells differ`,
    );
    const md = readFileSync(join(results, "nb-unseeded", "report.md"), "utf8");
    expect(md).toMatch(
      /### Notebook cells\n\nbasic\.ipynb: 6 code cells of each replay compared with the original's executed notebook/,
    );
    expect(md).toMatch(/Replay 1 first differs at cell 4 \(id `basic-3`\)/);

    if (!haveChromium) return;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(pathToFileURL(join(results, "nb-unseeded", "report.html")).href);
      const heading = page.locator("h3", { hasText: "Notebook cells" });
      await expect(heading.count()).resolves.toBe(1);
      const diff = page.locator("h3:has-text('Notebook cells') ~ pre.diff").first();
      await expect(diff.locator("span.del").first().textContent()).resolves.toMatch(/^-\[stdout\] first test targets/);
      const png = join(results, "nb-unseeded", "notebook-cells.png");
      await heading.scrollIntoViewIfNeeded();
      await page.screenshot({ path: png });
      if (process.env["REPRO_AUDIT_UPDATE_REFERENCE"] === "1") {
        mkdirSync(REFERENCE, { recursive: true });
        for (const f of ["report.json", "report.md", "report.html", "notebook-cells.png"])
          cpSync(join(results, "nb-unseeded", f), join(REFERENCE, f));
      }
    } finally {
      await browser.close();
    }
  }, 300_000);
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { parseReport } from "../../harness/report/serialize.js";
import { buildCli, projectDir, runCliProcess } from "../support/cli.js";
import { dockerAvailable } from "../support/engine-available.js";
import { useServerAndResults } from "../support/mlflow-server.js";
import { venvPython } from "../support/record-run.js";

// Issue 10 item 4, end to end: a script that logs a metric and then raises, run by
// its author with the real MLflow client (the original FAILED), audited with 2
// replays in the sealed image scenarios/basic's lock already builds.

const fixture = "test/fixtures/crash-after-logging";

describe.skipIf(!dockerAvailable)(
  "audit of a run that logged a metric and crashed (CLI, real server, real engine)",
  () => {
    const ctx = useServerAndResults("repro-audit-failed-run-", { shared: true });
    let runId: string;

    beforeAll(async () => {
      const build = buildCli("dist/harness/cli/main.js");
      const recorded = await execa(venvPython, ["train.py"], {
        cwd: join(projectDir, fixture),
        env: { ...process.env, MLFLOW_TRACKING_URI: ctx.server.url },
        reject: false,
      });
      expect(recorded.exitCode).toBe(1);
      runId = (JSON.parse(recorded.stdout.trim().split("\n")[0] ?? "") as { run_id: string }).run_id;
      await build;
    }, 300_000);

    it("scores the metric the replays logged before failing, and finds they failed as the original did", async () => {
      const res = await runCliProcess(
        [
          "audit",
          "--run",
          runId,
          "--scenario",
          fixture,
          "--replays",
          "2",
          "--results-dir",
          ctx.results,
          "--audit-id",
          "crash",
          "--no-publish",
        ],
        { ...process.env, MLFLOW_TRACKING_URI: ctx.server.url },
      );
      const doc = parseReport(readFileSync(join(ctx.results, "crash", "report.json"), "utf8"), "report.json");
      const run = doc.runs[0];
      expect(run?.originalStatus, res.stderr).toBe("FAILED");
      expect(run?.replays.map((r) => [r.status, r.exitCode])).toEqual([
        ["failed", 1],
        ["failed", 1],
      ]);
      expect(run?.metrics.map((m) => [m.name, m.verdict, m.replays])).toEqual([["score", "identical", [0.569, 0.569]]]);
      expect(run?.score.findings).toContain(
        "original and replays failed the same way: the original's recorded status is FAILED (MLflow records no exit code or error output for it); every replay exited 1 with the last error line: ValueError: boom after logging score",
      );
      expect(run?.score.verdict).toBe("reproduced");
      expect(readFileSync(join(ctx.results, "crash", "report.md"), "utf8")).toContain("original `FAILED`");
    }, 120_000);
  },
);

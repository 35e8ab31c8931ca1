import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { replayJob } from "../../../harness/audit/replay-pipeline.js";
import { useServerAndResults } from "../../support/mlflow-server.js";

// A run recorded by `python train.py` in a subfolder of the author's git repo (no
// MLproject, no repro.command): replayed from --code alone, the plan runs the
// recorded script from its folder. The local executor keeps it off the engine; the
// plan is the same one Docker replays get.

const root = new URL("../../../", import.meta.url).pathname;
const venvBin = join(root, ".venv/bin");
const python = join(venvBin, "python");
const haveVenv = existsSync(python);

let repo: string | undefined;
afterEach(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
  repo = undefined;
});

describe.skipIf(!haveVenv)("replay of a run recorded by `python train.py` (real server, real git)", () => {
  const ctx = useServerAndResults("repro-audit-script-ctx.results-");

  it("runs the recorded script from its folder with no arguments, and reproduces it (seeded)", async () => {
    repo = mkdtempSync(join(tmpdir(), "repro-script-repo-"));
    mkdirSync(join(repo, "src"));
    copyFileSync(join(root, "scenarios/basic/train.py"), join(repo, "src/train.py"));
    const git = (...args: string[]) => execa("git", ["-C", repo as string, ...args]);
    await git("init", "-q");
    await git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".");
    await git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "train");
    // As its author runs it: from the script's folder, with its defaults (seed 42).
    await execa(python, ["train.py"], {
      cwd: join(repo, "src"),
      env: { ...process.env, MLFLOW_TRACKING_URI: ctx.server.url },
    });
    const [recorded] = await ctx.client.searchRuns({ experimentIds: ["0"] });
    const runId = recorded?.info.run_id ?? "";
    const tags = Object.fromEntries((recorded?.data.tags ?? []).map((t) => [t.key, t.value]));
    // sys.argv[0] as the author typed it, relative to src/: the checkout is searched for it.
    expect(tags["mlflow.source.name"]).toBe("train.py");
    expect(tags["mlflow.source.git.commit"]).toMatch(/^[0-9a-f]{40}$/);

    const t0 = Date.now();
    const res = await replayJob({
      runId,
      replays: 2,
      parallel: 1,
      executor: "local",
      codePath: repo,
      resultsDir: ctx.results,
      trackingUri: ctx.server.url,
      client: ctx.client,
      env: { ...process.env, PATH: `${venvBin}:${process.env["PATH"] ?? "/usr/bin:/bin"}` },
    });
    console.log(`recorded script: 2 local replays in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

    expect(res.plan.commandSource).toBe("script");
    expect(res.plan.command).toBe("cd src && python train.py");
    expect(res.plan.notes.some((n) => n.includes("arguments were not recorded; ran `python train.py` with none"))).toBe(
      true,
    );
    expect(res.summary.records).toHaveLength(2);
    for (const r of res.summary.records) {
      expect(r.status, `${r.failure?.message ?? ""}\n${r.stderrTail}`).toBe("finished");
      for (const m of recorded?.data.metrics ?? []) expect(r.metrics[m.key], m.key).toBe(m.value); // bitwise
    }
  }, 120_000);
});

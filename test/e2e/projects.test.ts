import { chmodSync, copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker } from "../../harness/exec/engine.js";
import { ensureEnvImage } from "../../harness/exec/env-image.js";
import { readCodeFolder, resolveEnvironment } from "../../harness/plan/code-folder.js";
import type { ReportRun } from "../../harness/report/schema.js";
import { parseReport } from "../../harness/report/serialize.js";
import { buildCli, projectDir, runCliProcess } from "../support/cli.js";
import { dockerAvailable } from "../support/engine-available.js";
import { useServerAndResults } from "../support/mlflow-server.js";
import { venvPython } from "../support/record-run.js";

// Issue 10, end to end on a corpus of project shapes (test/fixtures/projects/): each
// fixture becomes a git repository, is recorded with the real MLflow client the way
// its author runs it (`mlflow run --env-manager local`, `python train.py`), and is
// audited with `--code <repo>` only: no scenario file, no extra file. Every fixture
// is seeded, so the expected verdict is reproduced; each environment the run asked
// for is either met or named in the report.

const corpus = join(projectDir, "test/fixtures/projects");
const venvBin = join(projectDir, ".venv/bin");
const mlflowCli = join(venvBin, "mlflow");
const WORKDIR_IMAGE = "repro-audit-test/corpus-workdir:1";
const GIT_ENV = {
  GIT_AUTHOR_NAME: "corpus",
  GIT_AUTHOR_EMAIL: "corpus@example.com",
  GIT_COMMITTER_NAME: "corpus",
  GIT_COMMITTER_EMAIL: "corpus@example.com",
};

interface Fixture {
  /** the experiment it is recorded in and the audit's id */
  name: string;
  /** folder under test/fixtures/projects (default: name) */
  folder?: string;
  /** files copied in from elsewhere: [from (repo-relative), to (fixture-relative)] */
  extra?: ReadonlyArray<readonly [string, string]>;
  /** the author's command, from the folder `cwd` of the repo */
  record: { cwd?: string; argv: (repo: string) => string[] };
  /** exit code the author saw */
  recordExit?: number;
}

const mlflowRun =
  (sub: string, ...opts: string[]) =>
  (repo: string) => [mlflowCli, "run", "--env-manager", "local", ...opts, join(repo, sub)];

const FIXTURES: Record<string, Fixture> = {
  conda: { name: "conda-subdir", record: { argv: mlflowRun("wine", "-P", "alpha=0.3") } },
  py39: { name: "python39", record: { argv: mlflowRun(".") } },
  autolog: { name: "autolog-script", record: { argv: () => [venvPython, "train.py"] } },
  outputs: { name: "outputs-script", record: { argv: () => [venvPython, "report.py"] } },
  docker: {
    name: "docker-workdir",
    // MLflow's own docker run: --build-image copies the project into the image; the
    // container reaches the loopback server through the host network.
    record: { argv: mlflowRun("project", "--build-image", "-A", "network=host") },
  },
  dockerImage: {
    name: "docker-image",
    folder: "docker-workdir",
    // MLflow's default: the image as it is, in its own WORKDIR, with the code it holds.
    record: { argv: mlflowRun("project", "-A", "network=host") },
  },
  crash: {
    name: "crash-script",
    extra: [["test/fixtures/crash-after-logging/train.py", "train.py"]],
    record: { argv: () => [venvPython, "train.py"] },
    recordExit: 1,
  },
};

describe.skipIf(!dockerAvailable)(
  "audit of real project shapes with --code only (CLI, real server, real engine)",
  () => {
    const ctx = useServerAndResults("repro-audit-projects-", { shared: true });
    const repos = new Map<string, string>();
    const recordSeconds = new Map<string, number>();
    const recordCommand = new Map<string, string>();
    const timings: string[] = [];
    let tagged = false;

    beforeAll(async () => {
      const build = buildCli("dist/harness/cli/main.js");
      await buildWorkdirImage();
      tagged = true;
      await build;
    }, 900_000); // a cold environment image build takes minutes on 2 cores

    /** The fixture as its author committed and ran it: a fresh git repository, the author's command. */
    async function record(f: Fixture): Promise<void> {
      const repo = await gitRepoOf(f);
      repos.set(f.name, repo);
      const argv = f.record.argv(repo);
      recordCommand.set(f.name, argv.map((a) => a.replace(projectDir, "").replace(repo, "<repo>")).join(" "));
      const t0 = performance.now();
      const res = await execa(argv[0] ?? "", argv.slice(1), {
        cwd: repo,
        // As in the author's activated venv: `mlflow run --env-manager local` runs `python` from PATH.
        env: {
          ...process.env,
          ...GIT_ENV,
          PATH: `${venvBin}:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
          MLFLOW_TRACKING_URI: ctx.server.url,
          MLFLOW_EXPERIMENT_NAME: f.name,
        },
        reject: false,
      });
      recordSeconds.set(f.name, (performance.now() - t0) / 1000);
      expect(res.exitCode, `recording ${f.name}: ${res.stderr.slice(-2000)}`).toBe(f.recordExit ?? 0);
    }

    afterAll(async () => {
      console.log(`corpus timings (record + audit with --replays 2):\n${timings.join("\n")}`);
      for (const repo of repos.values()) rmSync(repo, { recursive: true, force: true });
      if (tagged)
        await docker()
          .getImage(WORKDIR_IMAGE)
          .remove({ noprune: true })
          .catch((e: Error) => console.warn(`could not remove ${WORKDIR_IMAGE}: ${e.message}`));
    });

    /** The fixture in a fresh git repository, one commit: what mlflow records as the source. */
    async function gitRepoOf(f: Fixture): Promise<string> {
      const repo = mkdtempSync(join(tmpdir(), `repro-audit-corpus-${f.name}-`));
      chmodSync(repo, 0o755);
      cpSync(join(corpus, f.folder ?? f.name), repo, { recursive: true });
      for (const [from, to] of f.extra ?? []) copyFileSync(join(projectDir, from), join(repo, to));
      const git = (...args: string[]) => execa("git", ["-C", repo, ...args], { env: GIT_ENV });
      await git("init", "-q");
      await git("add", ".");
      await git("commit", "-qm", `${f.name} as its author committed it`);
      return repo;
    }

    /** The docker_env image: the environment image of scenarios/basic with its own WORKDIR (nothing can be pulled). */
    async function buildWorkdirImage(): Promise<void> {
      const folder = readCodeFolder(join(projectDir, "scenarios/basic"));
      const env = resolveEnvironment(folder, "scenario");
      const base = await ensureEnvImage({
        requirements: env.requirements,
        ...(env.python ? { python: env.python } : {}),
        ignored: env.ignored ?? [],
        client: docker(),
      });
      const dir = join(corpus, "docker-workdir");
      await execa("docker", ["build", "-q", "--build-arg", `BASE=${base.imageId}`, "-t", WORKDIR_IMAGE, dir]);
      const info = await docker().getImage(WORKDIR_IMAGE).inspect();
      expect(info.Config.WorkingDir).toBe("/app");
    }

    /** Recorded, then `audit --experiment NAME --code REPO --replays 2`, timed; the report's one run. */
    async function audit(f: Fixture): Promise<{ run: ReportRun; stderr: string; code: number }> {
      await record(f);
      const t0 = performance.now();
      const res = await runCliProcess(
        [
          "audit",
          "--experiment",
          f.name,
          "--code",
          repos.get(f.name) ?? "",
          "--replays",
          "2",
          "--results-dir",
          ctx.results,
          "--audit-id",
          f.name,
          "--no-publish",
        ],
        { ...process.env, MLFLOW_TRACKING_URI: ctx.server.url },
        600_000,
      );
      const seconds = (performance.now() - t0) / 1000;
      const doc = parseReport(readFileSync(join(ctx.results, f.name, "report.json"), "utf8"), "report.json");
      expect(doc.runs, res.stderr).toHaveLength(1);
      const run = doc.runs[0] as ReportRun;
      timings.push(
        `  ${f.name}: recorded by \`${recordCommand.get(f.name) ?? "?"}\` in ${(recordSeconds.get(f.name) ?? 0).toFixed(1)}s; ` +
          `plan source ${run.plan?.source ?? "none"}; verdict ${run.score.verdict}; audit ${seconds.toFixed(1)}s`,
      );
      return { run, stderr: res.stderr, code: res.code };
    }

    /** Why the replays did what they did, for a failing expectation's message. */
    const why = (run: ReportRun, stderr: string) =>
      [
        run.error ?? "",
        ...run.replays.map(
          (r) => `replay ${r.index}: ${r.status} ${r.message ?? ""}\n${(r.stderrTail ?? "").slice(-800)}`,
        ),
        stderr.slice(-800),
      ].join("\n");

    const mismatchOf = (run: ReportRun, what: string) =>
      run.image.mismatches.find((m) => m.what === what || m.requested.startsWith(what));
    /** the original's value of a metric, as the report holds it */
    const originalOf = (run: ReportRun, metric: string) => run.metrics.find((m) => m.name === metric)?.original;
    const r2ByRecording = new Map<string, number | null | undefined>();

    it("an MLproject in a subfolder with a conda.yaml: the project's entry point, its conda deps installed", async () => {
      const { run, stderr } = await audit(FIXTURES.conda as Fixture);
      expect(run.plan?.source).toBe("mlproject");
      expect(run.plan?.entryPoint).toBe("main");
      // MLflow logs every parameter, defaults included.
      expect(run.plan?.params).toEqual({ alpha: "0.3", l1_ratio: "0.5" });
      // numpy, scipy and scikit-learn are conda deps with a PyPI name: installed, never "not installed".
      for (const lib of ["numpy", "scipy", "scikit-learn"]) expect(mismatchOf(run, lib), lib).toBeUndefined();
      expect(run.image.builtFrom ?? "").toMatch(/^conda_env conda\.yaml \(4 requirements\)/);
      expect(run.score.findings.join("\n")).toMatch(
        /conda packages installed by their PyPI name: numpy=2\.4\.6 as numpy==2\.4\.6\.\*/,
      );
      expect(run.score.verdict, why(run, stderr)).toBe("reproduced");
    }, 600_000);

    it("a python_env.yaml pinning Python 3.9 without mlflow: run on 3.9, mlflow added, the pin it could not have named", async () => {
      const { run, stderr } = await audit(FIXTURES.py39 as Fixture);
      expect(run.plan?.source).toBe("mlproject");
      // 3.9 is had: the bullseye base, no python mismatch.
      expect(run.fingerprints.replays[0]?.container?.python.version ?? "").toMatch(/^3\.9\./);
      expect(mismatchOf(run, "python")).toBeUndefined();
      // mlflow added as MLflow Projects add it; its 3.x pin has no 3.9 wheel, so the newest that has one, named.
      expect(run.score.findings.join("\n")).toMatch(
        /imports mlflow and the environment does not list it .*added mlflow-skinny==/,
      );
      expect(mismatchOf(run, "package:mlflow-skinny")).toMatchObject({ requested: expect.stringMatching(/^==3\./) });
      expect(run.score.verdict, why(run, stderr)).toBe("reproduced");
    }, 600_000);

    it("a plain `python train.py` with mlflow.autolog() and no arguments: the recorded script", async () => {
      const { run, stderr } = await audit(FIXTURES.autolog as Fixture);
      expect(run.plan?.source).toBe("script");
      expect(run.plan?.command).toBe("python train.py");
      expect(run.metrics.map((m) => m.name)).toContain("training_score");
      expect(run.score.verdict, why(run, stderr)).toBe("reproduced");
      // autolog logs the model the MLflow 3 way, under its own root: the original's versions come from there
      const sklearn = run.fingerprintDiff.versions?.items.find((i) => i.name === "scikit-learn");
      expect(sklearn).toMatchObject({ state: "same", source: expect.stringMatching(/^logged model models:\/m-/) });
    }, 600_000);

    it("a script that writes ./outputs/ next to itself: each replay in its own copy, the file listed", async () => {
      const { run, stderr } = await audit(FIXTURES.outputs as Fixture);
      expect(run.plan?.source).toBe("script");
      expect(run.score.verdict, why(run, stderr)).toBe("reproduced");
      // Written in each replay's copy of the code, listed with its hash: the same bytes every time (seeded).
      const written = run.replays.map((r) => r.outputs?.files.map((f) => [f.path, f.change]));
      expect(written).toEqual([[["outputs/coefficients.csv", "added"]], [["outputs/coefficients.csv", "added"]]]);
      const hashes = new Set(run.replays.map((r) => r.outputs?.files[0]?.sha256));
      expect(hashes.size).toBe(1);
      expect([...hashes][0]).toMatch(/^[0-9a-f]{64}$/);
      // The checkout the audit was given is as its author left it (the author's own run wrote outputs/ there), and
      // the scratch worktree the replays were copied from is gone.
      const repo = repos.get("outputs-script") ?? "";
      expect((await execa("git", ["-C", repo, "status", "--porcelain"])).stdout).toBe("?? outputs/");
      expect((await execa("git", ["-C", repo, "worktree", "list"])).stdout.trim().split("\n")).toHaveLength(1);
    }, 600_000);

    it("a docker_env project in a subfolder whose image sets WORKDIR: runs in the project folder, as `mlflow run --build-image` did", async () => {
      const { run, stderr } = await audit(FIXTURES.docker as Fixture);
      expect(run.plan?.source).toBe("mlproject");
      expect(run.image.builtFrom ?? "").toMatch(/docker_env/);
      expect(run.metrics.map((m) => m.name)).toEqual(["r2"]);
      r2ByRecording.set("build-image", originalOf(run, "r2"));
      expect(run.score.verdict, why(run, stderr)).toBe("reproduced");
    }, 600_000);

    it("the same project recorded without --build-image: runs in the image's own WORKDIR, with the code the image holds", async () => {
      const { run, stderr } = await audit(FIXTURES.dockerImage as Fixture);
      expect(run.plan?.source).toBe("mlproject");
      // MLflow ran the image's older settings (image-settings.json), so the original differs from the --build-image one.
      r2ByRecording.set("image", originalOf(run, "r2"));
      if (r2ByRecording.has("build-image"))
        expect(r2ByRecording.get("image")).not.toBe(r2ByRecording.get("build-image"));
      expect(run.score.findings.join("\n")).toMatch(/no --build-image.*image's own working directory/);
      expect(run.score.verdict, why(run, stderr)).toBe("reproduced");
      // wine.py writes predictions.json next to itself, in /app, as it did on MLflow's writable container layer:
      // each replay wrote it in its own copy of the image's /app, listed with the same hash (seeded).
      const written = run.replays.map((r) => r.outputs?.files.map((f) => [f.path, f.change]));
      expect(written).toEqual([[["predictions.json", "added"]], [["predictions.json", "added"]]]);
      expect(new Set(run.replays.map((r) => r.outputs?.files[0]?.sha256)).size).toBe(1);
    }, 600_000);

    it("a script that logs a metric and then crashes: scored, and failed the same way as the original", async () => {
      const { run, stderr } = await audit(FIXTURES.crash as Fixture);
      expect(run.plan?.source).toBe("script");
      expect(run.originalStatus).toBe("FAILED");
      expect(run.metrics.map((m) => [m.name, m.verdict])).toEqual([["score", "identical"]]);
      expect(run.score.verdict, why(run, stderr)).toBe("reproduced");
    }, 600_000);
  },
);

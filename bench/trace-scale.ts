/**
 * `repro-audit trace` over a large experiment against the MLflow Python client's paged
 * search_runs reading the same runs: whole processes, alternating A B, B A, so machine
 * drift hits both alike. Target (issue 13): trace ≤ 1.0× the Python client in wall time
 * and in peak memory.
 *
 *   npm run build && node dist/bench/trace-scale.js [--runs 10000] [--n 3] [--cli PATH] [--dry-run-audit]
 *
 * The embedded server (sqlite, served artifacts, one worker) is populated once per
 * `--runs` (bench/python/trace_scale_populate.py, through MLflow's own client) in a
 * data folder that is kept for the next time: /dev/shm when there is one, else .cache/.
 * Each side is measured under /usr/bin/time (wall and peak RSS of the process and its
 * children); trace's JSON is parsed and its run count checked, so a fast wrong answer
 * does not count. `--cli` measures another build (e.g. an older commit's
 * dist/harness/cli/main.js). `--dry-run-audit` also times `audit --experiment ... --dry-run`
 * once, to its plan.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../harness/project-root.js";
import { startEmbeddedServer } from "../harness/tracking/server/embedded-server.js";
import { venvPython } from "../harness/tracking/server/venv.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const RUNS = Number(arg("--runs") ?? 10_000);
const N = Number(arg("--n") ?? 3);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs must be a positive integer");
if (!Number.isInteger(N) || N < 1) throw new Error("--n must be a positive integer");
const root = projectRoot();
const cli = arg("--cli") ?? join(root, "dist/harness/cli/main.js");
const python = venvPython();
const TIME = "/usr/bin/time";
if (!existsSync(TIME)) throw new Error(`${TIME} is needed for peak memory (apt-get install time)`);

const base = existsSync("/dev/shm") ? "/dev/shm" : join(root, ".cache");
const dataDir = join(base, `repro-audit-bench-trace-scale-${RUNS}`);
const experiment = `trace-scale-${RUNS}`;
mkdirSync(dataDir, { recursive: true });
const { state } = await startEmbeddedServer({ dataDir });
const marker = join(dataDir, "populated");
if (!existsSync(marker)) {
  console.log(`populating ${RUNS} runs into ${dataDir} (once; kept for the next run)`);
  const r = spawnSync(
    python,
    [
      join(root, "bench/python/trace_scale_populate.py"),
      state.url,
      `sqlite:///${join(dataDir, "mlflow.db")}`,
      experiment,
      String(RUNS),
    ],
    { stdio: "inherit", env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: "true" } },
  );
  if (r.status !== 0) throw new Error(`populating failed (exit ${r.status}); remove ${dataDir} and retry`);
  writeFileSync(marker, `${experiment}\n`);
}

const scratch = mkdtempSync(join(tmpdir(), "bench-trace-scale-"));
const env = { ...process.env, MLFLOW_TRACKING_URI: state.url, MLFLOW_DISABLE_TELEMETRY: "true" };

interface Sample {
  ms: number;
  kb: number;
  /** user + system CPU seconds of the process (the server's not included) */
  cpu: number;
}

/** One whole process under /usr/bin/time; `check` reads its stdout and throws when the answer is wrong. */
function measure(cmd: string[], check: (stdout: string) => void, okCodes: readonly number[] = [0]): Sample {
  const timeFile = join(scratch, "time.txt");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TIME, ["-f", "%M %U %S", "-o", timeFile, ...cmd], {
    env,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!okCodes.includes(r.status ?? -1))
    throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  check(r.stdout);
  const [kb, user, sys] = (readFileSync(timeFile, "utf8").trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  return { ms, kb: kb ?? Number.NaN, cpu: (user ?? Number.NaN) + (sys ?? Number.NaN) };
}

const arms: Record<string, () => Sample> = {
  "python search_runs": () =>
    measure([python, join(root, "bench/python/trace_scale_search.py"), state.url, experiment], (out) => {
      if (Number(out.trim()) !== RUNS) throw new Error(`python read ${out.trim()} runs, not ${RUNS}`);
    }),
  "repro-audit trace": () =>
    measure(
      [process.execPath, cli, "trace", "--experiment", experiment, "--tracking-uri", state.url, "--json"],
      (out) => {
        const doc = JSON.parse(out) as { runs: unknown[] };
        if (doc.runs.length !== RUNS) throw new Error(`trace covered ${doc.runs.length} runs, not ${RUNS}`);
      },
    ),
};

const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
const names = Object.keys(arms);
// One warm-up each (server caches, page cache), not counted.
for (const name of names) arms[name]?.();
for (let i = 0; i < N; i++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(i + j) % names.length] as string;
    const s = arms[name]?.();
    if (s) samples[name]?.push(s);
    console.log(
      `  round ${i + 1} ${name}: ${(s?.ms ?? 0).toFixed(0)} ms, CPU ${(s?.cpu ?? 0).toFixed(1)} s, ${((s?.kb ?? 0) / 1024).toFixed(0)} MiB`,
    );
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const stat = (xs: number[], unit: (x: number) => string) =>
  `${unit(median(xs))} [${unit(Math.min(...xs))}-${unit(Math.max(...xs))}]`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
const baseline = samples["python search_runs"] ?? [];
console.log(`trace of ${RUNS} runs, ${N} rounds, whole process: median [min-max], ratio to python`);
for (const [name, xs] of Object.entries(samples)) {
  const ms = xs.map((x) => x.ms);
  const kb = xs.map((x) => x.kb);
  const cpu = xs.map((x) => x.cpu * 1000);
  const ratio = (f: (x: Sample) => number, ys: number[]) => `${(median(ys) / median(baseline.map(f))).toFixed(2)}×`;
  console.log(
    `  ${name.padEnd(20)} wall ${stat(ms, secs)} ${ratio((x) => x.ms, ms)}` +
      `  peak RSS ${stat(kb, mib)} ${ratio((x) => x.kb, kb)}` +
      `  client CPU ${stat(cpu, secs)} ${ratio((x) => x.cpu * 1000, cpu)}`,
  );
}

if (process.argv.includes("--dry-run-audit")) {
  const s = measure(
    [process.execPath, cli, "audit", "--experiment", experiment, "--tracking-uri", state.url, "--dry-run", "--json"],
    (out) => {
      const preview = JSON.parse(out) as { runs: unknown[] };
      if (preview.runs.length !== RUNS) throw new Error(`the dry run planned ${preview.runs.length} runs, not ${RUNS}`);
    },
    // 2: some run cannot be replayed (these runs name no code): the plan is the answer all the same.
    [0, 2],
  );
  console.log(`  audit --dry-run       wall ${secs(s.ms)}  peak RSS ${mib(s.kb)} (once, to its plan)`);
}
rmSync(scratch, { recursive: true, force: true });

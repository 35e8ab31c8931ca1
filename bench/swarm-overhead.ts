/**
 * What running a replay as a swarm job costs over running it as a container (issue 15):
 * the same execution through the swarm executor and through the docker executor, on
 * the same engine.
 *
 *   npm run build && node dist/bench/swarm-overhead.js [--n 10]
 *
 * A second, real dockerd is started as a one-node swarm manager (test/support/extra-engine.ts),
 * with Debian's registry on loopback (test/support/registry.ts); the base image is
 * copied to it from the project's engine and pushed once (the warm-up, outside the
 * figures). Both executors then run one replay-shaped execution on that engine: a
 * short python command, the replay's isolation and limits, a writable folder mounted.
 * A: `SwarmExecutor.run` (create the service, follow its task, read its logs,
 * remove it and its container). B: `DockerExecutor.run` (create, attach, start, wait,
 * remove). A and B alternate, the order flipped every pair, after one warm-up of each.
 * Prints medians with min-max, the overhead per replay and the ratio of the medians,
 * and the load average before and after: the machine is shared.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBaseImage } from "../harness/exec/base-image.js";
import { DockerExecutor } from "../harness/exec/docker-executor.js";
import { docker } from "../harness/exec/engine.js";
import type { ExecSpec, Executor } from "../harness/exec/executor.js";
import { SwarmExecutor } from "../harness/exec/swarm-executor.js";
import { copyImage, startExtraEngine } from "../test/support/extra-engine.js";
import { startRegistry } from "../test/support/registry.js";
import { alternate, load, median, positiveInt, spread } from "./bench-support.js";

const N = positiveInt("--n", 10);
const work = mkdtempSync(join(tmpdir(), "repro-bench-swarm-"));
chmodSync(work, 0o777);

const loadBefore = load();
const base = await ensureBaseImage();
const [engine, registry] = await Promise.all([startExtraEngine({ swarm: true }), startRegistry()]);
try {
  await copyImage(docker(), engine.client, base.imageId);
  const swarm = new SwarmExecutor(registry.address, engine.client);
  const local = new DockerExecutor(engine.client);
  const t0 = performance.now();
  await swarm.pin(base.imageId);
  const pushMs = performance.now() - t0;

  const spec: ExecSpec = {
    image: base.imageId,
    command: { shell: "python3 -c 'print(sum(range(10**6)))' > /out/sum.txt" },
    workdir: "/out",
    mounts: [{ host: work, container: "/out", readOnly: false }],
    env: { HOME: "/tmp" },
    network: "none",
    limits: { memoryBytes: 256 * 1024 ** 2, nanoCpus: 1_000_000_000, pids: 64, timeoutMs: 60_000 },
  };
  const timed = async (exec: Executor) => {
    const s = performance.now();
    const res = await exec.run(spec);
    if (res.exitCode !== 0) throw new Error(`${exec.kind} run exited ${res.exitCode}: ${res.stderrTail}`);
    return performance.now() - s;
  };
  await timed(swarm);
  await timed(local);
  const { a, b } = await alternate(
    N,
    () => timed(swarm),
    () => timed(local),
  );
  console.log(
    `one replay-shaped execution, swarm executor vs docker executor on the same engine, ${N} alternating pairs`,
  );
  console.log(`  image ${base.imageId.slice(0, 19)} (${base.tag}); first push to the registry ${pushMs.toFixed(0)} ms`);
  console.log(`  docker executor   ${spread(b)}`);
  console.log(`  swarm executor    ${spread(a)}`);
  const ratios = a.map((x, i) => x / (b[i] as number));
  console.log(
    `  overhead per replay ${(median(a) - median(b)).toFixed(0)} ms, ratio ${(median(a) / median(b)).toFixed(2)} ` +
      `(per pair ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  );
  console.log(`  load average (1, 5, 15 min): before ${loadBefore}, after ${load()}`);
} finally {
  await engine.stop();
  await registry.stop();
  rmSync(work, { recursive: true, force: true });
}

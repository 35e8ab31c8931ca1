import { describe, expect, it } from "vitest";
import { AUDIT_LABEL, CONTAINER_LABEL, DEADLINE_LABEL, REPLAY_LABEL } from "../../../harness/exec/container-labels.js";
import { DEFAULT_TMPFS_BYTES, DEFAULT_USER, WATCHDOG_GRACE_MS } from "../../../harness/exec/container-defaults.js";
import type { ExecSpec } from "../../../harness/exec/executor.js";
import { registryFrom } from "../../../harness/exec/swarm-image.js";
import { currentTask, demuxLogs, serviceSpec, taskOutcome } from "../../../harness/exec/swarm-service.js";

// The service one execution becomes: the docker executor's isolation in the service
// API's words, the audit's labels, a job of one task that is never restarted.

const spec: ExecSpec = {
  image: "sha256:abc",
  command: { shell: "python train.py" },
  workdir: "/code",
  mounts: [
    { host: "/tmp/work-1", container: "/code", readOnly: false },
    { host: "/tmp/out-1", container: "/out", readOnly: false },
    { host: "/data/wine", container: "/data", readOnly: true },
  ],
  env: { A: "1", MLFLOW_TRACKING_URI: "file:/repro/tracking/mlruns" },
  network: "none",
  limits: { memoryBytes: 512 * 1024 ** 2, nanoCpus: 1_500_000_000, pids: 128, timeoutMs: 60_000 },
  labels: { [AUDIT_LABEL]: "audit-1", [REPLAY_LABEL]: "2" },
};
const target = {
  imageRef: "127.0.0.1:5000/repro-audit/replay@sha256:def",
  name: "repro-audit-x",
  labels: {},
  now: 1_000,
};

describe("serviceSpec", () => {
  const s = serviceSpec(spec, target);
  const task = s.TaskTemplate as NonNullable<Parameters<typeof serviceSpec>[1]> & {
    ContainerSpec: Record<string, unknown>;
    Resources: { Limits: Record<string, number> };
    RestartPolicy: Record<string, unknown>;
    Networks?: unknown;
  };
  const c = task.ContainerSpec;

  it("is a job of exactly one task, never restarted, with no network attachment", () => {
    expect(s.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(task.RestartPolicy).toEqual({ Condition: "none", MaxAttempts: 0 });
    expect(task.Networks).toBeUndefined();
    expect(s.Networks).toBeUndefined();
    expect(s.Name).toBe("repro-audit-x");
  });

  it("isolates as the docker executor: read-only root, all capabilities dropped, unprivileged user, an init", () => {
    expect(c.ReadOnly).toBe(true);
    expect(c.CapabilityDrop).toEqual(["ALL"]);
    expect(c.CapabilityAdd).toBeUndefined();
    expect(c.User).toBe(DEFAULT_USER);
    expect(c.Init).toBe(true);
    expect(c.Privileges).toBeUndefined();
    expect(serviceSpec({ ...spec, user: "1000:1000" }, target).TaskTemplate).toMatchObject({
      ContainerSpec: { User: "1000:1000" },
    });
  });

  it("puts the memory, CPU and pids limits on the task, and removes it at once when told to", () => {
    expect(task.Resources.Limits).toEqual({ MemoryBytes: 512 * 1024 ** 2, NanoCPUs: 1_500_000_000, Pids: 128 });
    expect(c.StopSignal).toBe("SIGKILL");
    expect(c.StopGracePeriod).toBe(0);
  });

  it("pins the image by digest and wraps the command in the watchdog (Args, so an entrypoint still applies)", () => {
    expect(c.Image).toBe(target.imageRef);
    expect(c.Command).toBeUndefined();
    const args = c.Args as string[];
    expect(args.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(args[2]).toContain(`sleep ${(60_000 + WATCHDOG_GRACE_MS) / 1000}`);
    expect(args.slice(-3)).toEqual(["/bin/sh", "-c", "python train.py"]);
    expect(c.Dir).toBe("/code");
    expect(c.Env).toEqual(["A=1", "MLFLOW_TRACKING_URI=file:/repro/tracking/mlruns"]);
  });

  it("mounts the spec's folders as the docker executor does, plus a tmpfs /tmp", () => {
    expect(c.Mounts).toEqual([
      { Type: "bind", Source: "/tmp/work-1", Target: "/code", ReadOnly: false },
      { Type: "bind", Source: "/tmp/out-1", Target: "/out", ReadOnly: false },
      { Type: "bind", Source: "/data/wine", Target: "/data", ReadOnly: true },
      { Type: "tmpfs", Source: "", Target: "/tmp", TmpfsOptions: { SizeBytes: DEFAULT_TMPFS_BYTES, Mode: 0o1777 } },
    ]);
  });

  it("labels the service and its container for audit, replay and the reaper's deadline", () => {
    const want = {
      [AUDIT_LABEL]: "audit-1",
      [REPLAY_LABEL]: "2",
      [CONTAINER_LABEL]: "swarm",
      [DEADLINE_LABEL]: String(1_000 + 60_000 + WATCHDOG_GRACE_MS),
    };
    expect(s.Labels).toEqual(want);
    expect(c.Labels).toEqual(want);
    // The spec's labels cannot pass for another executor's or move the deadline.
    const forged = serviceSpec({ ...spec, labels: { [CONTAINER_LABEL]: "docker", [DEADLINE_LABEL]: "9" } }, target);
    expect(forged.Labels?.[CONTAINER_LABEL]).toBe("swarm");
    expect(forged.Labels?.[DEADLINE_LABEL]).toBe(want[DEADLINE_LABEL]);
  });

  it("attaches the host network only when the spec asks for it", () => {
    expect(serviceSpec({ ...spec, network: "host" }, target).TaskTemplate).toMatchObject({
      Networks: [{ Target: "host" }],
    });
  });

  it("keeps a task's logs bounded on its node", () => {
    expect((s.TaskTemplate as { LogDriver?: unknown }).LogDriver).toEqual({
      Name: "json-file",
      Options: { "max-size": "16m", "max-file": "1" },
    });
  });
});

describe("taskOutcome", () => {
  it("is pending until the task reaches a terminal state", () => {
    expect(taskOutcome(undefined)).toEqual({ kind: "pending", state: "new" });
    for (const state of ["pending", "assigned", "preparing", "starting", "running"])
      expect(taskOutcome({ Status: { State: state } })).toEqual({ kind: "pending", state });
  });

  it("gives the exit code of a task that ran, zero or not", () => {
    expect(taskOutcome({ Status: { State: "complete", ContainerStatus: { ContainerID: "c1", ExitCode: 0 } } })).toEqual(
      { kind: "exited", exitCode: 0, containerId: "c1" },
    );
    expect(
      taskOutcome({
        Status: {
          State: "failed",
          Err: "task: non-zero exit (3)",
          ContainerStatus: { ContainerID: "c2", ExitCode: 3 },
        },
      }),
    ).toEqual({ kind: "exited", exitCode: 3, containerId: "c2" });
  });

  it("says a task that never ran its command, or was ended by the orchestrator, did not run", () => {
    expect(taskOutcome({ Status: { State: "rejected", Err: "invalid mount config" } })).toEqual({
      kind: "not-run",
      state: "rejected",
      message: "task rejected: invalid mount config",
    });
    // A node that left: its task is orphaned, a result the workload never gave.
    expect(taskOutcome({ Status: { State: "orphaned" } }).kind).toBe("not-run");
    expect(taskOutcome({ Status: { State: "failed" } }).kind).toBe("not-run");
  });
});

describe("currentTask", () => {
  it("is the newest task: a replacement after a node left stands for the execution, not the one that left", () => {
    const left = { CreatedAt: "2026-12-04T19:00:00.000Z", Status: { State: "orphaned" } };
    const replacement = { CreatedAt: "2026-12-04T19:00:05.000Z", Status: { State: "running" } };
    expect(currentTask([left, replacement])).toBe(replacement);
    expect(currentTask([replacement, left])).toBe(replacement);
    expect(currentTask([])).toBeUndefined();
  });
});

describe("demuxLogs", () => {
  const frame = (kind: number, text: string): Buffer => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = kind;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };

  it("splits the engine's frames into stdout and stderr, in order", () => {
    const buf = Buffer.concat([frame(1, "out 1\n"), frame(2, "err\n"), frame(1, "out 2\n")]);
    expect(demuxLogs(buf).map((f) => `${f.stream}:${f.chunk.toString()}`)).toEqual([
      "stdout:out 1\n",
      "stderr:err\n",
      "stdout:out 2\n",
    ]);
  });

  it("keeps what arrived of a truncated last frame and nothing of a partial header", () => {
    const cut = Buffer.concat([frame(1, "whole\n"), frame(2, "cut short").subarray(0, 12)]);
    expect(demuxLogs(cut).map((f) => f.chunk.toString())).toEqual(["whole\n", "cut "]);
    const partialHeader = Buffer.concat([frame(1, "whole\n"), frame(2, "next").subarray(0, 5)]);
    expect(demuxLogs(partialHeader).map((f) => f.chunk.toString())).toEqual(["whole\n"]);
    expect(demuxLogs(Buffer.alloc(0))).toEqual([]);
  });
});

describe("registryFrom", () => {
  it("takes host:port from REPRO_AUDIT_REGISTRY", () => {
    expect(registryFrom({ REPRO_AUDIT_REGISTRY: "127.0.0.1:5000" })).toBe("127.0.0.1:5000");
    expect(registryFrom({ REPRO_AUDIT_REGISTRY: " registry.internal " })).toBe("registry.internal");
    expect(registryFrom({ REPRO_AUDIT_REGISTRY: "[::1]:5000" })).toBe("[::1]:5000");
  });

  it("says how to name one when there is none, and refuses a scheme or a path", () => {
    expect(() => registryFrom({})).toThrow(
      /needs a registry every node can pull from: name it with --registry HOST:PORT or REPRO_AUDIT_REGISTRY/,
    );
    expect(() => registryFrom({ REPRO_AUDIT_REGISTRY: "http://127.0.0.1:5000" })).toThrow(/HOST or HOST:PORT/);
    expect(() => registryFrom({ REPRO_AUDIT_REGISTRY: "127.0.0.1:5000/x" })).toThrow(/HOST or HOST:PORT/);
  });
});

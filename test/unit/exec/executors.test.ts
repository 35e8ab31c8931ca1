import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { type ReplayCliOptions, addReplayOptions } from "../../../harness/cli/replay-options.js";
import { ExecutorKindSchema } from "../../../harness/exec/executor-kind-schema.js";
import { EXECUTORS, EXECUTOR_KINDS, executorKindsText } from "../../../harness/exec/executors.js";
import { EnvironmentRecordSchema } from "../../../harness/audit/journal.js";

// Every list of executor kinds is the registry's: the schema the journal and the
// report read with, and the CLI's --executor choices and help.

function executorOption(): { cmd: Command; help: string } {
  const cmd = addReplayOptions(new Command("replay").exitOverride());
  const help = cmd.options.find((o) => o.long === "--executor")?.description ?? "";
  return { cmd, help };
}

describe("the executor registry", () => {
  it("holds docker and swarm (which need the engine: swarm's is the manager) and local (which does not)", () => {
    expect(EXECUTOR_KINDS).toEqual(["docker", "local", "swarm"]);
    expect(EXECUTORS.docker.needsEngine).toBe(true);
    expect(EXECUTORS.swarm.needsEngine).toBe(true);
    expect(EXECUTORS.local.needsEngine).toBe(false);
  });

  it("is the schema's list of kinds", () => {
    for (const kind of EXECUTOR_KINDS) expect(ExecutorKindSchema.parse(kind)).toBe(kind);
    expect(ExecutorKindSchema.safeParse("k8s").success).toBe(false);
    expect(EnvironmentRecordSchema.safeParse({ type: "environment", executor: "k8s" }).success).toBe(false);
  });

  it("gives --executor its help text, its choices and its default", () => {
    const { cmd, help } = executorOption();
    expect(help).toBe(
      "docker (isolated, pinned), local (neither) or swarm (isolated, pinned: a Docker Swarm job per replay, on the manager DOCKER_HOST names)",
    );
    for (const kind of EXECUTOR_KINDS) {
      const c = addReplayOptions(new Command("replay").exitOverride());
      c.parse(["--executor", kind], { from: "user" });
      expect(c.opts<ReplayCliOptions>().executor).toBe(kind);
    }
    cmd.parse([], { from: "user" });
    expect(cmd.opts<ReplayCliOptions>().executor).toBe("docker");
    expect(() => executorOption().cmd.parse(["--executor", "k8s"], { from: "user" })).toThrow(
      '--executor must be docker, local or swarm, got "k8s"',
    );
  });

  it("names kinds as a sentence does", () => {
    expect(executorKindsText(["a"])).toBe("a");
    expect(executorKindsText(["a", "b"])).toBe("a or b");
    expect(executorKindsText(["a", "b", "c"])).toBe("a, b or c");
  });

  it("prepares the local executor without an engine, saying what it lacks", async () => {
    const prepared = await EXECUTORS.local.prepare({
      environment: { requirements: [], ignored: [] },
      codePath: "/nonexistent",
      auditId: "a",
      hostEnv: { PATH: "/usr/bin" },
      onStage: () => undefined,
    });
    expect(prepared.executor.kind).toBe("local");
    expect(prepared.image).toBeUndefined();
    expect(prepared.notes).toEqual(["local executor: not isolated, not pinned (runs with the host's python on PATH)"]);
  });
});

import { describe, expect, it } from "vitest";
import { AUDIT_LABEL, CONTAINER_LABEL, DEADLINE_LABEL, REPLAY_LABEL } from "../../../harness/exec/container-labels.js";
import { DEFAULT_USER, WATCHDOG_GRACE_MS } from "../../../harness/exec/container-defaults.js";
import { DockerExecutor } from "../../../harness/exec/docker-executor.js";
import { dockerEnvRuntime } from "../../../harness/exec/docker-env.js";
import { type ExecSpec, parseExecSpec } from "../../../harness/exec/executor.js";
import { mapContainerPaths } from "../../../harness/exec/local-executor.js";

const base: ExecSpec = {
  image: "sha256:abc",
  command: ["python", "train.py"],
  workdir: "/code",
  mounts: [
    { host: "/home/me/proj", container: "/code", readOnly: true },
    { host: "/tmp/out-1", container: "/out", readOnly: false },
  ],
  env: { A: "1" },
  network: "none",
  limits: { memoryBytes: 512 * 1024 ** 2, nanoCpus: 1_500_000_000, pids: 128, timeoutMs: 60_000 },
};

describe("parseExecSpec", () => {
  it("accepts a valid spec unchanged", () => {
    expect(parseExecSpec(base)).toEqual(base);
  });

  it("lists every problem with its path in one message", () => {
    const bad = {
      ...base,
      workdir: "code",
      network: "bridge",
      mounts: [{ host: "rel", container: "/x", readOnly: true }],
    };
    let msg = "";
    try {
      parseExecSpec(bad);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^Invalid execution spec:/);
    expect(msg).toMatch(/workdir: must be an absolute path/);
    expect(msg).toMatch(/network:/);
    expect(msg).toMatch(/mounts\.0\.host: must be an absolute path/);
  });
});

describe("DockerExecutor container options", () => {
  const opts = new DockerExecutor().createOptions(base, "sha256:abc", "repro-audit-x");

  it("isolates by default", () => {
    const hc = opts.HostConfig ?? {};
    expect(hc.NetworkMode).toBe("none");
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.CapDrop).toEqual(["ALL"]);
    expect(hc.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(hc.Memory).toBe(512 * 1024 ** 2);
    expect(hc.MemorySwap).toBe(hc.Memory);
    expect(hc.NanoCpus).toBe(1_500_000_000);
    expect(hc.PidsLimit).toBe(128);
    expect(Object.keys(hc.Tmpfs ?? {})).toEqual(["/tmp"]);
    expect(opts.User).toBe(DEFAULT_USER);
    expect(hc.Mounts).toEqual([
      { Type: "bind", Source: "/home/me/proj", Target: "/code", ReadOnly: true },
      { Type: "bind", Source: "/tmp/out-1", Target: "/out", ReadOnly: false },
    ]);
    expect(opts.Env).toEqual(["A=1"]);
  });

  it("runs a shell string through /bin/sh -c, honours host networking and an explicit user", () => {
    const o = new DockerExecutor().createOptions(
      { ...base, command: { shell: "echo $A" }, network: "host", user: "0:0" },
      "sha256:abc",
      "n",
    );
    // The command runs under the in-container watchdog, unchanged after it.
    expect(o.Cmd?.slice(-3)).toEqual(["/bin/sh", "-c", "echo $A"]);
    expect(o.HostConfig?.NetworkMode).toBe("host");
    expect(o.User).toBe("0:0");
  });
});

describe("DockerExecutor wall clock without the harness", () => {
  it("wraps the command in a watchdog that kills every process of the replay after the timeout plus a grace", () => {
    const spec = { ...base, command: ["python", "-c", "print(1)"], limits: { ...base.limits, timeoutMs: 5_000 } };
    const o = new DockerExecutor().createOptions(spec, "sha256:abc", "n", 1_000_000);
    const seconds = Math.ceil((5_000 + WATCHDOG_GRACE_MS) / 1000);
    expect(o.Cmd).toEqual([
      "/bin/sh",
      "-c",
      `(sleep ${seconds} && kill -9 -1) >/dev/null 2>&1 & exec "$@"`,
      "repro-watchdog",
      "python",
      "-c",
      "print(1)",
    ]);
    expect(o.Labels?.[DEADLINE_LABEL]).toBe(String(1_000_000 + 5_000 + WATCHDOG_GRACE_MS));
  });

  it("labels the container with what the spec names (audit, run, replay)", () => {
    const o = new DockerExecutor().createOptions(
      { ...base, labels: { [AUDIT_LABEL]: "a1", [REPLAY_LABEL]: "2" } },
      "sha256:abc",
      "n",
    );
    expect(o.Labels?.[AUDIT_LABEL]).toBe("a1");
    expect(o.Labels?.[REPLAY_LABEL]).toBe("2");
    expect(o.Labels?.[CONTAINER_LABEL]).toBe("docker");
  });
});

describe("mapContainerPaths (local executor)", () => {
  const mounts = [
    { host: "/home/me/proj", container: "/code", readOnly: true },
    { host: "/tmp/o", container: "/out", readOnly: false },
    { host: "/data/x", container: "/code/data", readOnly: true },
  ];
  it.each([
    ["/code", "/home/me/proj"],
    ["/code/train.py", "/home/me/proj/train.py"],
    ["/code/data/a.csv", "/data/x/a.csv"],
    ["--out=/out/m.json", "--out=/tmp/o/m.json"],
    ["python /code/t.py > /out/log 2>&1", "python /home/me/proj/t.py > /tmp/o/log 2>&1"],
    ["/codebase/x", "/codebase/x"],
    ["/outside", "/outside"],
    ["relative/code/x", "relative/code/x"],
  ])("%s -> %s", (input, want) => {
    expect(mapContainerPaths(input, mounts)).toBe(want);
  });
});

describe("dockerEnvRuntime (MLproject docker_env)", () => {
  it("turns volumes and environment into mounts and env, copying named host vars from the given map", () => {
    const rt = dockerEnvRuntime(
      {
        image: "img",
        volumes: ["/data:/data:ro", "cache:/cache"],
        environment: [["SEED", "42"], "HOST_ONLY", "ABSENT"],
      },
      "/proj",
      { HOST_ONLY: "yes", OTHER: "leaked?" },
    );
    expect(rt.mounts).toEqual([
      { host: "/data", container: "/data", readOnly: true },
      // Asked writable (no mode = rw, as in docker), mounted read-only anyway, and said so.
      { host: "/proj/cache", container: "/cache", readOnly: true },
    ]);
    expect(rt.forcedReadOnly).toEqual(["cache:/cache"]);
    expect(rt.env).toEqual({ SEED: "42", HOST_ONLY: "yes" });
    expect(rt.missingHostVars).toEqual(["ABSENT"]);
  });

  it("rejects a malformed volume with the offending entry", () => {
    expect(() => dockerEnvRuntime({ image: "i", volumes: ["/only-one-part"] }, "/p", {})).toThrow(/"\/only-one-part"/);
    expect(() => dockerEnvRuntime({ image: "i", volumes: ["/a:rel"] }, "/p", {})).toThrow(/absolute container path/);
    expect(() => dockerEnvRuntime({ image: "i", volumes: ["/a:/b:rx"] }, "/p", {})).toThrow(/"\/a:\/b:rx"/);
    expect(() => dockerEnvRuntime({ image: "i", volumes: ["/a:/b:ro:x"] }, "/p", {})).toThrow(/"\/a:\/b:ro:x"/);
  });

  it("lists an explicit :rw volume among those forced read-only", () => {
    const rt = dockerEnvRuntime({ image: "i", volumes: ["/s:/s:rw", "/d:/d:ro"] }, "/p", {});
    expect(rt.mounts.every((m) => m.readOnly)).toBe(true);
    expect(rt.forcedReadOnly).toEqual(["/s:/s:rw"]);
  });
});

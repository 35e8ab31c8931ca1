import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type HostAccessPolicy,
  type HostAccessRequest,
  decideHostAccess,
  SYSTEM_PROTECTED,
} from "../../../harness/exec/host-access.js";
import { protectedHostPaths, requestedHostAccess, resolveHostPath } from "../../../harness/exec/host-paths.js";

// docker_env host access is opt-in: the pure decision on resolved paths, and the
// edge that resolves what an MLproject names (realpath, relative to the project).

const dir = (path: string) => ({ path, kind: "directory" as const });
const policy = (p: Partial<HostAccessPolicy> = {}): HostAccessPolicy => ({
  allowMounts: [],
  allowEnv: [],
  protectedPaths: [
    ...SYSTEM_PROTECTED,
    { path: "/srv/results", what: "the results folder" },
    { path: "/srv/mlflow-data", what: "the tracking server's data folder" },
  ],
  ...p,
});
const oneVolume = (entry: string, host: HostAccessRequest["volumes"][number]["host"]): HostAccessRequest => ({
  volumes: [{ entry, host }],
  hostVars: [],
});

describe("decideHostAccess (pure)", () => {
  it("refuses every volume and host variable by default, naming the entry and the flag that allows it", () => {
    const d = decideHostAccess(
      { volumes: [{ entry: "/data/wine:/data", host: dir("/data/wine") }], hostVars: ["AWS_SECRET_ACCESS_KEY"] },
      policy(),
    );
    expect(d.mounts).toEqual([]);
    expect(d.env).toEqual([]);
    expect(d.refusals).toHaveLength(2);
    expect(d.refusals[0]).toMatch(/volume "\/data\/wine:\/data".*--allow-mount \/data\/wine/);
    expect(d.refusals[1]).toMatch(/environment "AWS_SECRET_ACCESS_KEY".*--allow-env AWS_SECRET_ACCESS_KEY/);
  });

  it("accepts an allowed data folder and what lies inside it, and a named variable", () => {
    const d = decideHostAccess(
      {
        volumes: [
          { entry: "/data/wine:/data", host: dir("/data/wine") },
          { entry: "/data/wine/2024:/y:ro", host: dir("/data/wine/2024") },
        ],
        hostVars: ["WINE_SPLIT"],
      },
      policy({ allowMounts: ["/data/wine"], allowEnv: ["WINE_SPLIT"] }),
    );
    expect(d.refusals).toEqual([]);
    expect(d.mounts.map((m) => m.host)).toEqual(["/data/wine", "/data/wine/2024"]);
    expect(d.env).toEqual(["WINE_SPLIT"]);
  });

  it("does not take a sibling with a common prefix for a folder inside the allowed one", () => {
    const d = decideHostAccess(
      oneVolume("/data/wine-secret:/d", dir("/data/wine-secret")),
      policy({ allowMounts: ["/data/wine"] }),
    );
    expect(d.refusals).toHaveLength(1);
  });

  it.each([
    ["/proc", "/proc"],
    ["/proc/1/root", "/proc"],
    ["/sys", "/sys"],
    ["/sys/fs/cgroup", "/sys"],
    ["/dev", "/dev"],
    ["/dev/shm", "/dev"],
    ["/etc", "/etc"],
    ["/", "root"],
    ["/run/docker.sock", "Docker"],
    ["/var/run/docker.sock", "Docker"],
    ["/run", "Docker"], // contains the socket
    ["/srv/results", "results"],
    ["/srv/results/a1/runs", "results"],
    ["/srv", "results"], // contains the results folder
    ["/srv/mlflow-data", "data folder"],
  ])("never mounts %s, even when it is allowed by name", (path, why) => {
    const d = decideHostAccess(oneVolume(`${path}:/x`, dir(path)), policy({ allowMounts: [path, "/"] }));
    expect(d.mounts).toEqual([]);
    expect(d.refusals).toHaveLength(1);
    expect(d.refusals[0]).toContain(why);
    expect(d.refusals[0]).toMatch(/never/);
  });

  it("never mounts a socket, wherever it lies", () => {
    const d = decideHostAccess(
      oneVolume("/data/wine/agent.sock:/s", { path: "/data/wine/agent.sock", kind: "socket" }),
      policy({ allowMounts: ["/data/wine"] }),
    );
    expect(d.refusals).toEqual([expect.stringMatching(/socket.*never/)]);
  });

  it("refuses a host path that does not exist (the engine would create it as root)", () => {
    const d = decideHostAccess(
      oneVolume("/data/wine/new:/n", { path: "/data/wine/new", kind: "missing" }),
      policy({ allowMounts: ["/data/wine"] }),
    );
    expect(d.refusals).toEqual([expect.stringMatching(/does not exist/)]);
  });

  it("refuses a resolved host path with a colon, which a volume entry cannot carry", () => {
    const d = decideHostAccess(oneVolume("./link:/d", dir("/data/wine/a:b")), policy({ allowMounts: ["/data/wine"] }));
    expect(d.refusals).toEqual([expect.stringMatching(/":"/)]);
  });

  it("never copies the tracking server's address or credentials from the host", () => {
    const d = decideHostAccess(
      { volumes: [], hostVars: ["MLFLOW_TRACKING_TOKEN"] },
      policy({ allowEnv: ["MLFLOW_TRACKING_TOKEN"] }),
    );
    expect(d.env).toEqual([]);
    expect(d.refusals).toEqual([expect.stringMatching(/MLFLOW_TRACKING_TOKEN.*never/)]);
  });
});

describe("resolving what an MLproject names (the I/O edge)", () => {
  let base = "";
  let project = "";
  let socketServer: Server | undefined;
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "repro-audit-host-access-"));
    project = join(base, "project");
    mkdirSync(join(project, "data"), { recursive: true });
    writeFileSync(join(project, "data", "x.csv"), "a\n1\n");
    symlinkSync("/proc", join(project, "proc-link"));
    symlinkSync(join(project, "data"), join(base, "data-link"));
    symlinkSync("/etc/repro-audit-none/x", join(project, "dangling"));
    socketServer = createServer();
    await new Promise<void>((res) => socketServer?.listen(join(base, "agent.sock"), res));
  });
  afterAll(async () => {
    await new Promise<void>((res) => (socketServer ? socketServer.close(() => res()) : res()));
    chmodSync(base, 0o755);
    rmSync(base, { recursive: true, force: true });
  });

  it("follows a symlink to /proc and refuses it, even when the link is allowed by name", () => {
    const req = requestedHostAccess({ image: "i", volumes: ["./proc-link:/p:ro"] }, project);
    expect(req.volumes[0]?.host.path).toBe("/proc");
    const d = decideHostAccess(
      req,
      policy({ allowMounts: [resolveHostPath(join(project, "proc-link"), "/").path, project] }),
    );
    expect(d.refusals).toEqual([expect.stringMatching(/\/proc.*never/)]);
  });

  it("resolves a relative path against the project dir; one that climbs out is not inside an allowed project", () => {
    const inside = requestedHostAccess({ image: "i", volumes: ["data:/data"] }, project);
    expect(inside.volumes[0]?.host).toEqual({ path: join(project, "data"), kind: "directory" });
    const out = requestedHostAccess({ image: "i", volumes: ["../../../etc:/e"] }, project);
    expect(out.volumes[0]?.host.path).toBe("/etc");
    const d = decideHostAccess(
      { volumes: [...inside.volumes, ...out.volumes], hostVars: [] },
      policy({ allowMounts: [project] }),
    );
    expect(d.mounts.map((m) => m.host)).toEqual([join(project, "data")]);
    expect(d.refusals).toEqual([expect.stringMatching(/"\.\.\/\.\.\/\.\.\/etc:\/e".*\/etc.*never/)]);
  });

  it("resolves an allowed path given through a symlink to the folder it names", () => {
    expect(resolveHostPath(join(base, "data-link"), "/")).toEqual({ path: join(project, "data"), kind: "directory" });
  });

  it("sees a socket as a socket, and a missing path as missing (resolved as far as it exists)", () => {
    expect(resolveHostPath("agent.sock", base)).toEqual({ path: join(base, "agent.sock"), kind: "socket" });
    expect(resolveHostPath("data-link/none/deeper", base)).toEqual({
      path: join(project, "data", "none", "deeper"),
      kind: "missing",
    });
  });

  it("follows a dangling symlink to where it points", () => {
    expect(resolveHostPath("dangling", project)).toEqual({ path: "/etc/repro-audit-none/x", kind: "missing" });
    const d = decideHostAccess(
      requestedHostAccess({ image: "i", volumes: ["dangling:/d"] }, project),
      policy({ allowMounts: [project] }),
    );
    expect(d.refusals).toEqual([expect.stringMatching(/inside \/etc.*never/)]);
  });

  it("keeps only the bare names of the environment: a [name, value] pair sets a literal", () => {
    const req = requestedHostAccess(
      { image: "i", environment: ["AWS_SECRET_ACCESS_KEY", ["MODE", "literal"]] },
      project,
    );
    expect(req.hostVars).toEqual(["AWS_SECRET_ACCESS_KEY"]);
  });

  it("protects the Docker socket DOCKER_HOST names, the results folder and the data folders, resolved", () => {
    const linkedResults = join(base, "data-link");
    const paths = protectedHostPaths({
      folders: [{ path: linkedResults, what: "the results folder" }],
      dockerHosts: [`unix://${join(base, "agent.sock")}`, "tcp://127.0.0.1:2376", undefined],
    });
    expect(paths).toContainEqual({
      path: join(base, "agent.sock"),
      what: expect.stringContaining("Docker") as unknown as string,
    });
    expect(paths).toContainEqual({ path: join(project, "data"), what: "the results folder" });
    expect(paths.map((p) => p.path)).toEqual(
      expect.arrayContaining(["/proc", "/sys", "/dev", "/etc", "/run/docker.sock"]),
    );
  });
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { checkEngine, EngineUnavailableError } from "../../../harness/exec/engine.js";
import { dockerAvailable } from "../../support/engine-available.js";

const run = promisify(execFile);
const SCRIPT = new URL("../../../scripts/ensure-docker.sh", import.meta.url).pathname;

describe.skipIf(!dockerAvailable)("engine (real engine)", () => {
  it("checkEngine reports the running engine", async () => {
    const info = await checkEngine();
    expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    expect(Number.parseFloat(info.apiVersion)).toBeGreaterThanOrEqual(1.41);
    expect(info.os).toBe("linux");
  });

  it("ensure-docker.sh is quick and idempotent when the engine is already up", async () => {
    const t0 = Date.now();
    const { stderr } = await run("bash", [SCRIPT]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(stderr).toMatch(/answers/);
  });
});

describe("engine errors", () => {
  it("an unreachable engine gives an error that says how to get one", async () => {
    const err = await checkEngine(new Docker({ socketPath: "/nonexistent/docker.sock" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as Error).message).toMatch(/ensure-docker\.sh/);
    expect((err as Error).message).toMatch(/DOCKER_HOST/);
  });

  it("ensure-docker.sh with a DOCKER_HOST that does not answer fails and explains, without starting anything", async () => {
    const err = (await run("bash", [SCRIPT], {
      env: { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" },
    }).catch((e: unknown) => e)) as {
      code?: number;
      stderr?: string;
    };
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/DOCKER_HOST=unix:\/\/\/nonexistent\/docker.sock is set but/);
    expect(err.stderr).toMatch(/To get one/);
  });
});

import { describe, expect, it } from "vitest";
import {
  remoteEngineNote,
  DEFAULT_ENGINE_SOCKET,
  engineGone,
  engineName,
  parseEngineList,
} from "../../../harness/exec/engine-endpoints.js";
import { BadInputError } from "../../../harness/errors.js";

// --engine values, checked at the boundary: the schemes dockerode speaks, "default"
// as DOCKER_HOST or the default socket, one message naming the value, what is wrong
// and how to fix it; the name shown without a password; which errors mean the engine is gone.

const noEnv = {};

function refusal(values: string[], env: Record<string, string | undefined> = noEnv): string {
  try {
    parseEngineList(values, env);
  } catch (err) {
    expect(err).toBeInstanceOf(BadInputError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${values.join(" ")}`);
}

describe("parseEngineList", () => {
  it("none given: the default engine alone (DOCKER_HOST, else the default socket)", () => {
    expect(parseEngineList([], noEnv)).toEqual([{ url: DEFAULT_ENGINE_SOCKET, name: DEFAULT_ENGINE_SOCKET }]);
    expect(parseEngineList([], { DOCKER_HOST: "tcp://10.0.0.2:2376" })).toEqual([
      { url: "tcp://10.0.0.2:2376", name: "tcp://10.0.0.2:2376" },
    ]);
  });

  it("takes unix, tcp and ssh URLs in order, and default among them", () => {
    const list = parseEngineList(
      ["default", "unix:///tmp/e2/docker.sock", "tcp://127.0.0.1:2375", "ssh://me@build-1"],
      noEnv,
    );
    expect(list.map((e) => e.url)).toEqual([
      DEFAULT_ENGINE_SOCKET,
      "unix:///tmp/e2/docker.sock",
      "tcp://127.0.0.1:2375",
      "ssh://me@build-1",
    ]);
  });

  it("refuses another scheme, a relative socket, a tcp URL without port, a path, saying how to fix it", () => {
    expect(refusal(["http://127.0.0.1:2375"])).toMatch(
      /^--engine "http:\/\/127.0.0.1:2375" scheme http is not unix, tcp or ssh: give it DOCKER_HOST style/,
    );
    expect(refusal(["unix://docker.sock"])).toContain("a unix socket needs an absolute path");
    expect(refusal(["tcp://127.0.0.1"])).toContain("names no port (2375 plain, 2376 TLS)");
    expect(refusal(["tcp://127.0.0.1:2375/v1.43"])).toContain("has a path");
    expect(refusal(["/var/run/docker.sock"])).toContain("is not a URL");
  });

  it("says when the bad value came from DOCKER_HOST through default", () => {
    expect(refusal(["default"], { DOCKER_HOST: "docker.sock" })).toContain('(from DOCKER_HOST, for "default")');
  });

  it("refuses an engine named twice (default and its own URL are the same engine)", () => {
    expect(refusal(["default", DEFAULT_ENGINE_SOCKET])).toContain("is named twice");
  });

  it("names an engine without its password (a DOCKER_HOST may carry one)", () => {
    expect(engineName("ssh://me:hunter2@build-1")).toBe("ssh://me@build-1");
    expect(engineName("unix:///x/docker.sock")).toBe("unix:///x/docker.sock");
  });
});

describe("engine URLs carry no secret", () => {
  it("refuses a query, a fragment or a password, which would be shown (and a password is never used)", () => {
    expect(() => parseEngineList(["tcp://h:2376?token=abc"])).toThrow(/query or fragment/);
    expect(() => parseEngineList(["tcp://h:2376#x"])).toThrow(/query or fragment/);
    expect(() => parseEngineList(["ssh://ci:secret@build-2"])).toThrow(/has a password; use an ssh key/);
  });
});

describe("remoteEngineNote", () => {
  it("an engine on this machine (a unix socket) needs no note; tcp and ssh ones say they must see the harness's folders", () => {
    expect(remoteEngineNote({ url: "unix:///tmp/e/docker.sock", name: "unix:///tmp/e/docker.sock" })).toBeUndefined();
    for (const url of ["tcp://build-2:2376", "ssh://ci@build-2"])
      expect(remoteEngineNote({ url, name: url })).toMatch(/not on this machine: .*same paths/);
  });
});

describe("engineGone", () => {
  const coded = (code: string) => Object.assign(new Error(`connect ${code} /x/docker.sock`), { code });

  it("a refused connection, a missing socket, a cut connection: the engine is gone", () => {
    for (const code of ["ECONNREFUSED", "ENOENT", "ECONNRESET", "EPIPE"]) expect(engineGone(coded(code))).toBe(true);
    expect(engineGone(new Error("socket hang up"))).toBe(true);
  });

  it("an answer from the engine (any HTTP status), or anything else, is not", () => {
    expect(engineGone(Object.assign(new Error("(HTTP code 500) server error"), { statusCode: 500 }))).toBe(false);
    expect(engineGone(Object.assign(coded("ECONNRESET"), { statusCode: 409 }))).toBe(false);
    expect(engineGone(new Error("no space left on device"))).toBe(false);
    expect(engineGone("ECONNREFUSED")).toBe(false);
  });
});

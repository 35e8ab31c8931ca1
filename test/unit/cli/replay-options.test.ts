import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { BadInputError } from "../../../harness/errors.js";
import { replayInputs } from "../../../harness/cli/replay-inputs.js";
import { type ReplayCliOptions, addReplayOptions } from "../../../harness/cli/replay-options.js";

// The docker_env host-access flags of `replay` and `audit`: repeatable, off by default.

function parse(args: string[]): ReplayCliOptions {
  const cmd = addReplayOptions(new Command("replay").exitOverride());
  cmd.parse(args, { from: "user" });
  return cmd.opts<ReplayCliOptions>();
}

describe("--allow-mount and --allow-env", () => {
  it("allow nothing by default", () => {
    const inputs = replayInputs(parse([]));
    expect(inputs.allowMounts).toEqual([]);
    expect(inputs.allowEnv).toEqual([]);
  });

  it("are repeatable and reach the replay inputs as given", () => {
    const inputs = replayInputs(
      parse([
        "--allow-mount",
        "/data/wine",
        "--allow-env",
        "WINE_SPLIT",
        "--allow-mount",
        "./rel",
        "--allow-env",
        "_X2",
      ]),
    );
    expect(inputs.allowMounts).toEqual(["/data/wine", "./rel"]);
    expect(inputs.allowEnv).toEqual(["WINE_SPLIT", "_X2"]);
  });

  it.each(["", "A=B", "1ABC", "MY VAR"])("refuse %j as a variable name, saying what one looks like", (name) => {
    expect(() => parse(["--allow-env", name])).toThrow(BadInputError);
    expect(() => parse(["--allow-env", name])).toThrow(/--allow-env.*environment variable name/);
  });

  it("refuse an empty mount path", () => {
    expect(() => parse(["--allow-mount", ""])).toThrow(/--allow-mount.*host path/);
  });
});

describe("--replays and --max-replays", () => {
  const parseAudit = (args: string[]): ReplayCliOptions => {
    const cmd = addReplayOptions(new Command("audit").exitOverride(), { auto: true });
    cmd.parse(args, { from: "user" });
    return cmd.opts<ReplayCliOptions>();
  };

  it("take auto where the command scores its replays (audit), by default, with a budget of 20 unless given", () => {
    expect(replayInputs(parseAudit([]))).toMatchObject({ replays: "auto", maxReplays: 20 });
    expect(replayInputs(parseAudit(["--replays", "auto"]))).toMatchObject({ replays: "auto", maxReplays: 20 });
    expect(replayInputs(parseAudit(["--replays", "AUTO", "--max-replays", "8"]))).toMatchObject({
      replays: "auto",
      maxReplays: 8,
    });
    expect(replayInputs(parseAudit(["--replays", "5"]))).toMatchObject({ replays: 5 });
  });

  it("bound --max-replays like --replays", () => {
    expect(() => parseAudit(["--replays", "auto", "--max-replays", "0"])).toThrow(
      /--max-replays must be a whole number from 1 to 1000/,
    );
    expect(() => parseAudit(["--max-replays", "1001"])).toThrow(
      /--max-replays must be a whole number from 1 to 1000, got "1001"/,
    );
  });

  it("refuse auto where the command does not score (replay), default to 3 there, and offer no --max-replays", () => {
    expect(replayInputs(parse([])).replays).toBe(3);
    expect(() => parse(["--replays", "auto"])).toThrow(/--replays must be a whole number from 1 to 1000/);
    expect(() => parse(["--max-replays", "8"])).toThrow(/unknown option/);
  });
});

describe("--engine", () => {
  it("none given: no engine list, the default engine alone as before", () => {
    expect(replayInputs(parse([])).engines).toBeUndefined();
  });

  it("is repeatable and reaches the inputs in order, default resolved", () => {
    const inputs = replayInputs(parse(["--engine", "default", "--engine", "unix:///tmp/e2/docker.sock"]));
    expect(inputs.engines?.map((e) => e.url)).toEqual([
      process.env.DOCKER_HOST || "unix:///var/run/docker.sock",
      "unix:///tmp/e2/docker.sock",
    ]);
  });

  it("refuses a bad URL before anything runs, saying what is wrong and how to write one", () => {
    expect(() => replayInputs(parse(["--engine", "docker.example:2375"]))).toThrow(BadInputError);
    expect(() => replayInputs(parse(["--engine", "http://h:2375"]))).toThrow(
      /--engine "http:\/\/h:2375" scheme http is not unix, tcp or ssh: give it DOCKER_HOST style/,
    );
  });

  it("refuses an engine named twice, and an engine for the local executor", () => {
    expect(() => replayInputs(parse(["--engine", "tcp://h:2375", "--engine", "tcp://h:2375"]))).toThrow(/named twice/);
    expect(() => replayInputs(parse(["--executor", "local", "--engine", "tcp://h:2375"]))).toThrow(
      /--executor local runs on none/,
    );
    expect(() => replayInputs(parse(["--executor", "swarm", "--engine", "tcp://h:2375"]))).toThrow(
      /--executor swarm has one manager/,
    );
  });
});

describe("--registry", () => {
  it("is REPRO_AUDIT_REGISTRY's spelling on the command line: the replays' environment gets it", () => {
    const inputs = replayInputs(parse(["--registry", "127.0.0.1:5000"]));
    expect(inputs.env?.["REPRO_AUDIT_REGISTRY"]).toBe("127.0.0.1:5000");
    expect(inputs.env?.["PATH"]).toBe(process.env["PATH"]);
    expect(replayInputs(parse([])).env).toBeUndefined();
  });

  it("refuses a scheme or a path before anything runs", () => {
    expect(() => parse(["--registry", "http://127.0.0.1:5000"])).toThrow(BadInputError);
    expect(() => parse(["--registry", "127.0.0.1:5000/repo"])).toThrow(/HOST or HOST:PORT/);
  });
});

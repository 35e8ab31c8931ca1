import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assembleRun } from "../../../harness/audit/assemble-run.js";
import { REDACTED } from "../../../harness/fingerprint/redact.js";
import { parseMlProject } from "../../../harness/plan/mlproject.js";
import { type PlanInput, buildPlan } from "../../../harness/plan/plan.js";
import { redactPlan } from "../../../harness/plan/redact-plan.js";
import { facts, replayRecord } from "../audit/audit-factories.js";

// With --extra-params append, a run's secret-named params ride on the command line.
// The replay needs the real values; everything shown or stored gets redactPlan's copy.

const root = new URL("../../../scenarios/basic/", import.meta.url);
const project = parseMlProject(readFileSync(new URL("MLproject", root), "utf8"), "MLproject");

function planWith(params: Record<string, string>, extraParams: "append" | "ignore" = "append") {
  const input: PlanInput = {
    run: {
      runId: "r1",
      experimentId: "1",
      params: { alpha: "0.5", l1_ratio: "0.1", seed: "42", ...params },
      tags: {},
      metrics: { rmse: 1 },
    },
    project,
    environment: { source: "none", requirements: [] },
    code: { source: "scenario", path: "/code/basic", diffAvailable: false },
    options: { extraParams },
  };
  return buildPlan(input);
}

describe("redactPlan", () => {
  it("the plan itself keeps the real values (the replay needs them) and records what was appended", () => {
    const p = planWith({ password: "hunter2", api_key: "sk live/42" });
    expect(p.command).toContain("--password hunter2");
    expect(p.command).toContain("--api_key 'sk live/42'");
    expect(p.appendedParams).toEqual({ password: "hunter2", api_key: "sk live/42" });
  });

  it("replaces secret-named appended values in the command and the params, leaves the rest", () => {
    const p = planWith({ password: "hunter2", api_key: "sk live/42", batch: "32" });
    const shown = redactPlan(p);
    const text = JSON.stringify(shown);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("sk live/42");
    expect(shown.command).toContain(`--password '${REDACTED}'`);
    expect(shown.command).toContain(`--api_key '${REDACTED}'`);
    expect(shown.command).toContain("--batch 32");
    expect(shown.command).toContain("--alpha 0.5");
    expect(shown.appendedParams).toEqual({ password: REDACTED, api_key: REDACTED, batch: "32" });
    // pure: the input is untouched
    expect(p.command).toContain("hunter2");
  });

  it("redacts declared secret-named params and docker_env values given inline", () => {
    const p = planWith({}, "ignore");
    const withSecret = {
      ...p,
      params: { ...p.params, db_password: "pa55word" },
      command: `${p.command} --db-password=pa55word`,
      environment: {
        ...p.environment,
        dockerEnvironment: [
          ["AWS_SECRET_ACCESS_KEY", "AKIAXYZ"] as [string, string],
          "HOME",
          ["MODE", "fast"] as [string, string],
        ],
      },
    };
    const shown = redactPlan(withSecret);
    expect(JSON.stringify(shown)).not.toContain("pa55word");
    expect(JSON.stringify(shown)).not.toContain("AKIAXYZ");
    expect(shown.params["db_password"]).toBe(REDACTED);
    expect(shown.environment.dockerEnvironment).toEqual([
      ["AWS_SECRET_ACCESS_KEY", REDACTED],
      "HOME",
      ["MODE", "fast"],
    ]);
  });

  it("a short secret is replaced where it stands as a word, without mangling the rest of the command", () => {
    const p = planWith({ pin: "on" });
    const shown = redactPlan(p);
    expect(shown.command).toMatch(/^python /);
    expect(shown.command).toContain(`--pin '${REDACTED}'`);
  });

  it("returns the same plan when nothing is secret", () => {
    const p = planWith({ batch: "32" });
    expect(redactPlan(p)).toEqual(p);
  });

  it("the report's plan section shows the redacted command and params", () => {
    const p = planWith({ password: "hunter2" });
    const run = assembleRun(facts({ plan: p }));
    expect(JSON.stringify(run.plan)).not.toContain("hunter2");
    expect(run.plan?.command).toContain(`--password '${REDACTED}'`);
  });

  it("the report's replay messages and stderr do not quote the secret (argparse echoes its command line)", () => {
    const p = planWith({ password: "hunter2" });
    const echo = "train.py: error: unrecognized arguments: --password hunter2";
    const run = assembleRun(
      facts(
        {
          plan: p,
          replays: [
            replayRecord(0, {
              status: "failed",
              failure: { kind: "exit", message: `exit code 2: ${echo}` },
              stderrTail: echo,
            }),
          ],
        },
        1,
      ),
    );
    expect(JSON.stringify(run.replays)).not.toContain("hunter2");
    expect(run.replays[0]?.stderrTail).toContain("unrecognized arguments");
  });
});

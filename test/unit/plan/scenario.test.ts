import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../../harness/plan/scenario.js";
import { FileFormatError } from "../../../harness/plan/zod-message.js";

const basicPath = new URL("../../../scenarios/basic/scenario.yaml", import.meta.url);
const valid = `
name: demo
command: python train.py --alpha {alpha}
parameters:
  alpha: {type: float, default: 0.5}
environment: {python: "3.11", lock: requirements.lock}
`;

function errorOf(text: string): string {
  try {
    parseScenario(text, "s/scenario.yaml");
  } catch (e) {
    expect(e).toBeInstanceOf(FileFormatError);
    return (e as Error).message;
  }
  throw new Error("expected the scenario to be refused");
}

describe("scenario files", () => {
  it("the bundled basic scenario parses, with Python's text for defaults", () => {
    const s = parseScenario(readFileSync(basicPath, "utf8"), "scenarios/basic/scenario.yaml");
    expect(s.name).toBe("basic");
    expect(s.parameters).toEqual({
      alpha: { type: "float", default: "0.5" },
      l1_ratio: { type: "float", default: "0.1" },
      seed: { type: "int", default: "42" },
    });
    expect(s.metrics).toEqual({ mode: "mlflow", names: ["rmse", "mae", "r2"] });
    expect(s.limits).toEqual({ timeout: 300, memory: 1024 });
    expect(s.environment).toEqual({ python: "3.11", lock: "requirements.lock" });
  });

  it("defaults: metrics from mlflow, no limits", () => {
    const s = parseScenario(valid);
    expect(s.metrics).toEqual({ mode: "mlflow" });
    expect(s.limits).toEqual({});
  });

  it("json capture with JSONPaths", () => {
    const s = parseScenario(
      `${valid}metrics: {mode: json, file: out/metrics.json, paths: {rmse: $.rmse, r2: "$.scores.r2"}}\n`,
    );
    expect(s.metrics).toEqual({ mode: "json", file: "out/metrics.json", paths: { rmse: "$.rmse", r2: "$.scores.r2" } });
  });

  it("errors name the file, the field and what is wrong", () => {
    expect(errorOf(valid.replace("name: demo\n", ""))).toMatch(/^s\/scenario\.yaml: name: /m);
    expect(errorOf(`${valid}metrics: {mode: csv}\n`)).toMatch(
      /s\/scenario\.yaml: metrics(\.mode)?: .*one of "mlflow", "json", "stdout-json"/,
    );
    expect(errorOf(`${valid}metrics: {mode: json, file: /etc/passwd, paths: {a: $.a}}\n`)).toMatch(
      /metrics\.file: .*may not leave it/,
    );
    expect(errorOf(`${valid}metrics: {mode: stdout-json, paths: {rmse: rmse}}\n`)).toMatch(
      /metrics\.paths\.rmse: a JSONPath starts with "\$"/,
    );
    expect(errorOf(valid.replace("lock: requirements.lock", "lock: ../../etc/x"))).toMatch(
      /environment\.lock: must be a path inside/,
    );
    expect(errorOf(valid.replace('python: "3.11"', "python: three"))).toMatch(
      /environment\.python: python is a version/,
    );
    expect(errorOf(`${valid}limits: {timeout: -1}\n`)).toMatch(/limits\.timeout: timeout is in seconds/);
    expect(errorOf(`${valid}extra_key: 1\n`)).toMatch(/\(top level\): .*extra_key/);
    expect(errorOf("- just a list\n")).toMatch(/s\/scenario\.yaml: \(top level\): expected a mapping/);
    expect(errorOf("name: [unclosed\n")).toMatch(/s\/scenario\.yaml: not valid YAML/);
  });

  it("a command that refers to an undeclared parameter is refused", () => {
    expect(errorOf(valid.replace("{alpha}", "{alpha} --seed {seed}"))).toMatch(
      /command: \{seed\} is not declared under parameters/,
    );
    expect(errorOf(valid.replace("{alpha}", "{alpha!r}"))).toMatch(/command: unsupported field/);
  });

  it("several problems are all reported, one per line", () => {
    const msg = errorOf("name: 'bad name!'\ncommand: ''\nenvironment: {}\n");
    expect(msg.split("\n").length).toBeGreaterThanOrEqual(3);
  });
});

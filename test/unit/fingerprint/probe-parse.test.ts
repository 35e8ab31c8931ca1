import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ProbeError,
  parseProbeOutput,
  probeCommand,
  probeScript,
  probeScriptPath,
} from "../../../harness/fingerprint/probe.js";
import { REDACTED } from "../../../harness/fingerprint/redact.js";

const fixture = readFileSync(new URL("../../fixtures/fingerprint/container-venv.json", import.meta.url), "utf8");

describe("parseProbeOutput", () => {
  it("accepts real probe output (venv with numpy, threadpoolctl)", () => {
    const fp = parseProbeOutput(fixture);
    expect(fp.python.implementation).toBe("CPython");
    expect(fp.distributions.map((d) => d.name)).toContain("numpy");
    expect(fp.blas.length).toBeGreaterThan(0);
    expect(fp.threadEnv["OMP_NUM_THREADS"]).toBe("1");
    expect(fp.pythonHashSeed).toBe("0");
  });

  it("uses the last non-empty line, so stray output before the JSON is tolerated", () => {
    const fp = parseProbeOutput(`some warning from sitecustomize\n${fixture}\n\n`);
    expect(fp.envNames).toContain("PATH");
  });

  it("names the field that is wrong and says how to fix it", () => {
    const raw = JSON.parse(fixture) as Record<string, unknown>;
    const python = raw["python"] as Record<string, unknown>;
    python["version"] = 3.11;
    delete raw["envNames"];
    let message = "";
    try {
      parseProbeOutput(JSON.stringify(raw));
    } catch (err) {
      expect(err).toBeInstanceOf(ProbeError);
      message = (err as Error).message;
    }
    expect(message).toContain("python.version");
    expect(message).toContain("envNames");
    expect(message).toMatch(/reinstall/);
  });

  it("reports non-JSON and empty output readably", () => {
    expect(() => parseProbeOutput("Traceback (most recent call last): boom")).toThrow(/did not print JSON.*Traceback/);
    expect(() => parseProbeOutput("   \n")).toThrow(/printed nothing.*python3/);
  });

  it("re-redacts secrets that a tampered or old probe let through", () => {
    const raw = JSON.parse(fixture) as {
      env: Record<string, string>;
      envNames: string[];
      threadEnv: Record<string, string | null>;
    };
    raw.env["MY_API_TOKEN"] = "abc-leaked";
    raw.env["MLFLOW_TRACKING_PASSWORD"] = "pw-leaked";
    raw.env["MLFLOW_TRACKING_URI"] = "https://user:uri-leaked@mlflow.example";
    raw.threadEnv["OMP_NUM_THREADS"] = "https://x:thread-leaked@h";
    const fp = parseProbeOutput(JSON.stringify(raw));
    expect(fp.env["MY_API_TOKEN"]).toBe(REDACTED);
    expect(fp.env["MLFLOW_TRACKING_PASSWORD"]).toBe(REDACTED);
    expect(fp.env["MLFLOW_TRACKING_URI"]).toBe("https://mlflow.example");
    expect(fp.envNames).toEqual(expect.arrayContaining(["MY_API_TOKEN", "MLFLOW_TRACKING_PASSWORD"]));
    expect(JSON.stringify(fp)).not.toMatch(/leaked/);
  });
});

describe("probeCommand", () => {
  it("runs the shipped probe script with -c", () => {
    const argv = probeCommand("/opt/venv/bin/python");
    expect(argv.slice(0, 3)).toEqual(["/opt/venv/bin/python", "-B", "-c"]);
    expect(argv[3]).toBe(readFileSync(probeScriptPath(), "utf8"));
    expect(probeScript()).toContain("def main()");
    // one probe for both sides: the capture plugin's, which the replays run too
    expect(probeScriptPath()).toMatch(/harness\/capture\/repro_audit_capture\/probe\.py$/);
  });
});

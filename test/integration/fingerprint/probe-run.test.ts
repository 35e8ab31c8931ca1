import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseProbeOutput, probeScriptPath, runProbeLocally } from "../../../harness/fingerprint/probe.js";
import {
  NOT_SECRET_NAMES,
  REDACTED,
  SECRET_NAME_SUBSTRINGS,
  SECRET_NAME_WORDS,
  isSecretName,
  stripUrlCredentials,
} from "../../../harness/fingerprint/redact.js";
import { ContainerFingerprintSchema } from "../../../harness/fingerprint/schema.js";

const VENV_PYTHON = new URL("../../../.venv/bin/python", import.meta.url).pathname;
const hasVenv = existsSync(VENV_PYTHON);
if (!hasVenv) console.warn(`[fingerprint] SKIPPING venv probe test: ${VENV_PYTHON} missing (run scripts/setup.sh)`);

const SECRETS = {
  MY_API_TOKEN: "abc-token-value-91",
  MLFLOW_TRACKING_PASSWORD: "pw-value-42",
  MLFLOW_TRACKING_TOKEN: "tok-value-77",
  AWS_SECRET_ACCESS_KEY: "aws-value-13",
  MLFLOW_TRACKING_URI: "https://bob:uri-pass-55@mlflow.example.com/",
};

function expectRedacted(stdoutJson: string): void {
  for (const value of ["abc-token-value-91", "pw-value-42", "tok-value-77", "aws-value-13", "uri-pass-55"]) {
    expect(stdoutJson).not.toContain(value);
  }
}

describe.each([
  { label: "host python3", python: "python3", run: true },
  { label: "project venv", python: VENV_PYTHON, run: hasVenv },
])("probe with $label", ({ python, run }) => {
  it.skipIf(!run)("prints a schema-valid fingerprint with secrets redacted", async () => {
    const fp = await runProbeLocally(python, { env: { ...SECRETS, PYTHONHASHSEED: "123", OMP_NUM_THREADS: "3" } });
    expect(ContainerFingerprintSchema.safeParse(fp).success).toBe(true);
    expect(fp.env["MY_API_TOKEN"]).toBe(REDACTED);
    expect(fp.env["MLFLOW_TRACKING_PASSWORD"]).toBe(REDACTED);
    expect(fp.env["MLFLOW_TRACKING_TOKEN"]).toBe(REDACTED);
    expect(fp.env["MLFLOW_TRACKING_URI"]).toBe("https://mlflow.example.com/");
    expect(fp.envNames).toEqual(expect.arrayContaining(Object.keys(SECRETS)));
    expect(fp.pythonHashSeed).toBe("123");
    expect(fp.threadEnv["OMP_NUM_THREADS"]).toBe("3");
    expect(fp.python.version).toMatch(/^3\.\d+\.\d+/);
    expect(fp.cpuCount).toBeGreaterThan(0);
    expectRedacted(JSON.stringify(fp));
    const names = fp.distributions.map((d) => d.name);
    expect(names).toEqual([...names].sort());
  });

  it.skipIf(!run)("never lets secret values out of the probe itself (raw stdout)", () => {
    const stdout = execFileSync(python, ["-B", probeScriptPath()], {
      env: { ...process.env, ...SECRETS },
      encoding: "utf8",
    });
    expectRedacted(stdout);
    expect(stdout).toContain('"MY_API_TOKEN": "<redacted>"');
  });
});

describe.skipIf(!hasVenv)("probe in the venv (numpy, threadpoolctl installed)", () => {
  it("reports BLAS libraries with thread counts and numpy's build config", async () => {
    const fp = await runProbeLocally(VENV_PYTHON, { env: { OPENBLAS_NUM_THREADS: "1" } });
    expect(fp.blas.length).toBeGreaterThan(0);
    for (const lib of fp.blas) {
      expect(lib.internal_api).not.toBe("");
      expect(lib.num_threads).toBe(1);
    }
    expect(fp.blasProbeImports).toContain("numpy");
    expect(fp.numpy?.version).toMatch(/^\d+\.\d+/);
    expect(fp.numpy?.config).toHaveProperty("SIMD Extensions");
    expect(fp.distributions.map((d) => d.name)).toEqual(expect.arrayContaining(["numpy", "scikit-learn", "mlflow"]));
  });
});

describe("probe without optional modules", () => {
  it.skipIf(!hasVenv)("returns blas [] and numpy null instead of failing when they are not importable", () => {
    // -S drops site-packages, so numpy and threadpoolctl vanish even from the venv.
    const stdout = execFileSync(VENV_PYTHON, ["-S", "-B", probeScriptPath()], { encoding: "utf8" });
    const fp = parseProbeOutput(stdout);
    expect(fp.numpy).toBeNull();
    expect(fp.blas).toEqual([]);
    expect(fp.blasProbeImports).toEqual([]);
    expect(fp.distributions.map((d) => d.name)).not.toContain("numpy");
  });

  it("fails with a readable message when the interpreter does not exist", async () => {
    await expect(runProbeLocally("/nonexistent/python3")).rejects.toThrow(
      /fingerprint probe with \/nonexistent\/python3/,
    );
  });
});

describe("redaction rules agree between probe.py and redact.ts", () => {
  it("classifies the same names and cleans the same URLs", () => {
    const markers = ["TOKEN", "KEY", "PASS", "PAT", "PATH", "PWD", "AUTH", "SESSION", "PW", "DSN", "HOME", "URI", "X"];
    const name = fc
      .array(fc.oneof(fc.constantFrom(...markers), fc.stringMatching(/^[A-Za-z0-9]{1,6}$/)), {
        minLength: 1,
        maxLength: 4,
      })
      .chain((parts) => fc.constantFrom("_", "-", ".", "").map((sep) => parts.join(sep)));
    const names = [
      ...new Set([...fc.sample(name, { numRuns: 400, seed: 7 }), "PWD", "OLDPWD", "GH_PAT", "PATH", "db_pw"]),
    ];
    const urls = [
      "https://u:p@h/x",
      "https://tok@h/x",
      "ssh://git@h/x",
      "ssh://git:p@h/x",
      "git@h:x.git",
      "http://h/?access_token=1&a=2",
      "a=postgres://u:p@h/db;b=redis://:pw@r:6379/0",
      "plain value @ with at",
    ];
    const script = [
      "import importlib.util, json, sys",
      "spec = importlib.util.spec_from_file_location('probe', sys.argv[1])",
      "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
      "d = json.load(sys.stdin)",
      "print(json.dumps({'names': [m.is_secret_name(n) for n in d['names']], 'urls': [m.strip_url_credentials(u) for u in d['urls']]}))",
    ].join("\n");
    const out = execFileSync("python3", ["-B", "-c", script, probeScriptPath()], {
      input: JSON.stringify({ names, urls }),
      encoding: "utf8",
    });
    const py = JSON.parse(out) as { names: boolean[]; urls: string[] };
    const mismatches = names.filter((n, i) => py.names[i] !== isSecretName(n));
    expect(mismatches).toEqual([]);
    expect(py.urls).toEqual(urls.map(stripUrlCredentials));
    // The sample must exercise both outcomes, or agreement means nothing.
    expect(py.names.some(Boolean)).toBe(true);
    expect(py.names.some((b) => !b)).toBe(true);
  });

  it("holds the same secret-name lists, item for item", () => {
    // Behaviour on a sample can agree by luck; the lists themselves must be one list in two languages.
    const script = [
      "import importlib.util, json, sys",
      "spec = importlib.util.spec_from_file_location('probe', sys.argv[1])",
      "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
      "print(json.dumps([list(m.SECRET_NAME_SUBSTRINGS), list(m.SECRET_NAME_WORDS), list(m.NOT_SECRET_NAMES)]))",
    ].join("\n");
    const out = execFileSync("python3", ["-B", "-c", script, probeScriptPath()], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual([[...SECRET_NAME_SUBSTRINGS], [...SECRET_NAME_WORDS], [...NOT_SECRET_NAMES]]);
  });
});

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entryPoint, parseMlProject } from "../../../harness/plan/mlproject.js";
import { BindingError, bindCommand, checkValue } from "../../../harness/plan/parameters.js";
import { pythonFloatStr } from "../../../harness/plan/python-str.js";
import { shlexQuote, shlexUnquoteExact } from "../../../harness/plan/shlex.js";
import { FileFormatError } from "../../../harness/plan/zod-message.js";

// Expected values come from MLflow itself (fixtures/make_mlflow_golden.py runs
// mlflow.projects._project_spec on the same MLproject texts).
interface GoldenCase {
  name: string;
  mlproject: string;
  entry: string;
  params: Record<string, string>;
  command?: string;
  error?: string;
}
const golden = JSON.parse(readFileSync(new URL("./fixtures/mlflow-golden.json", import.meta.url), "utf8")) as {
  mlflow_version: string;
  shlex: Array<{ in: string; out: string }>;
  cases: GoldenCase[];
};

function bindLikeMlflow(c: GoldenCase): string {
  const ep = entryPoint(parseMlProject(c.mlproject), c.entry);
  return bindCommand({ command: ep.command, parameters: ep.parameters, given: c.params, extraParams: "append" })
    .command;
}

describe(`MLflow Projects binding (golden from mlflow ${golden.mlflow_version})`, () => {
  for (const c of golden.cases) {
    it(c.name, () => {
      if (c.command !== undefined) expect(bindLikeMlflow(c)).toBe(c.command);
      else {
        expect(() => bindLikeMlflow(c)).toThrow(BindingError);
        expect(() => bindLikeMlflow(c)).toThrow(c.error as string);
      }
    });
  }

  it("shlex.quote matches Python on hostile strings", () => {
    for (const { in: s, out } of golden.shlex) expect(shlexQuote(s)).toBe(out);
  });
});

describe("quoting keeps hostile values inert", () => {
  const project = parseMlProject(
    "entry_points:\n  main:\n    parameters:\n      label: string\n    command: \"printf '%s|' {label}\"\n",
  );
  const ep = entryPoint(project, "main");
  const run = (value: string, extra: Record<string, string> = {}) =>
    execFileSync(
      "sh",
      [
        "-c",
        bindCommand({
          command: ep.command,
          parameters: ep.parameters,
          given: { label: value, ...extra },
          extraParams: "append",
        }).command,
      ],
      {
        encoding: "utf8",
      },
    );

  it("a shell sees `a b; rm -rf /` as one argument, and runs nothing else", () => {
    expect(run("a b; rm -rf /")).toBe("a b; rm -rf /|");
    expect(run("$(echo pwned)`echo pwned`")).toBe("$(echo pwned)`echo pwned`|");
  });

  it("extra params keep key and value as single words", () => {
    expect(run("x", { "k;echo pwned": "v w" })).toBe("x|--k;echo pwned|v w|");
  });

  it("any string survives the shell unchanged (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 30 }).filter((s) => !s.includes("\0")),
        (s) => {
          expect(run(s)).toBe(`${s}|`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("shlexUnquoteExact inverts shlexQuote, and refuses what quote cannot produce", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(shlexUnquoteExact(shlexQuote(s))).toBe(s);
      }),
    );
    expect(shlexUnquoteExact("a b")).toBeUndefined();
    expect(shlexUnquoteExact("'a' b'")).toBeUndefined();
    expect(shlexUnquoteExact("'plain'")).toBeUndefined(); // quote("plain") is plain
  });
});

describe("typed parameters", () => {
  it("float accepts what Python's float() accepts, keeps the text as logged", () => {
    for (const ok of ["0.5", "1e-3", " 2 ", "-.5", "1_000.25", "inf", "NaN", "+3E+2"]) {
      expect(checkValue("alpha", "float", ok)).toBeUndefined();
    }
    for (const bad of ["abc", "0.5.1", "1__0", "", "0x10", "1e"]) {
      expect(checkValue("alpha", "float", bad)).toMatch(/declared float/);
    }
  });

  it("reports every bad value in one error", () => {
    const ep = entryPoint(parseMlProject(golden.cases[0]?.mlproject ?? ""), "main");
    const err = (() => {
      try {
        bindCommand({
          command: ep.command,
          parameters: ep.parameters,
          given: { alpha: "high", seed: "4.5" },
          extraParams: "ignore",
        });
      } catch (e) {
        return e as BindingError;
      }
      throw new Error("expected a BindingError");
    })();
    expect(err.problems).toHaveLength(2);
    expect(err.message).toContain('"high" is not a number');
    expect(err.message).toContain('"4.5" is not an integer');
  });

  it("records defaults, and ignores undeclared params when asked", () => {
    const ep = entryPoint(parseMlProject(golden.cases[0]?.mlproject ?? ""), "main");
    const b = bindCommand({
      command: ep.command,
      parameters: ep.parameters,
      given: { alpha: "0.3", max_iter: "9" },
      extraParams: "ignore",
    });
    expect(b.command).toBe("python train.py --alpha 0.3 --l1-ratio 0.1 --seed 42 --label plain");
    expect(b.defaulted).toEqual(["l1_ratio", "seed", "label"]);
    expect(b.ignored).toEqual(["max_iter"]);
  });

  it("Python's float text for YAML defaults", () => {
    const cases: Array<[number, string]> = [
      [0.5, "0.5"],
      [1, "1.0"],
      [1e-5, "1e-05"],
      [0.0001, "0.0001"],
      [1e16, "1e+16"],
      [1.5e16, "1.5e+16"],
      [123456789012345.6, "123456789012345.6"],
      [-2.5, "-2.5"],
      [1 / 3, "0.3333333333333333"],
      [1e22, "1e+22"],
      [5e-324, "5e-324"],
      [0.1 + 0.2, "0.30000000000000004"],
      [Infinity, "inf"],
    ];
    for (const [n, s] of cases) expect(pythonFloatStr(n)).toBe(s);
  });
});

describe("MLproject files", () => {
  it("reads python_env, docker_env with volumes and environment", () => {
    expect(parseMlProject("python_env: python_env.yaml\nentry_points: {}\n").environment).toEqual({
      kind: "python_env",
      file: "python_env.yaml",
    });
    const p = parseMlProject(
      'docker_env:\n  image: repro/img:1\n  volumes: ["/a:/b"]\n  environment: [["K", "v"], "HOME"]\nentry_points:\n  main: {command: "python x.py"}\n',
    );
    expect(p.environment).toEqual({
      kind: "docker_env",
      docker: { image: "repro/img:1", volumes: ["/a:/b"], environment: [["K", "v"], "HOME"] },
    });
  });

  it("refuses two environment fields, a docker_env without image, an entry point without command", () => {
    expect(() => parseMlProject("python_env: a.yaml\nconda_env: b.yaml\n", "x/MLproject")).toThrow(
      /x\/MLproject: .*multiple environment fields/,
    );
    expect(() => parseMlProject("docker_env: {volumes: []}\n", "MLproject")).toThrow(/docker_env\.image/);
    expect(() => parseMlProject("entry_points:\n  main:\n    parameters: {}\n")).toThrow(/entry_points\.main\.command/);
    expect(() => parseMlProject("docker_env: {image: x, volumes: [1]}\n")).toThrow(FileFormatError);
  });

  it("unknown entry points that are not scripts are an error naming the declared ones", () => {
    const p = parseMlProject('entry_points:\n  main: {command: "python a.py"}\n');
    expect(() => entryPoint(p, "train")).toThrow(/Could not find train among entry points \["main"\]/);
    expect(entryPoint(p, "run me.sh").command).toBe("bash 'run me.sh'");
  });
});

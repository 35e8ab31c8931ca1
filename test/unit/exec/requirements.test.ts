import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  hashPinned,
  normaliseName,
  normaliseRequirement,
  parseRequirement,
  parseRequirementsTxt,
} from "../../../harness/exec/requirements.js";

describe("normaliseRequirement", () => {
  it.each([
    ["Scikit_Learn==1.3.2", "scikit-learn==1.3.2"],
    ["  numpy >= 1.24 , < 2  ", "numpy<2,>=1.24"],
    ["numpy (>=1.24,<2)", "numpy<2,>=1.24"],
    ["Requests[Security, socks]>=2", "requests[security,socks]>=2"],
    ["requests[socks,security]>=2", "requests[security,socks]>=2"],
    ['numpy>=1.24 ;  python_version  >= "3.9"', 'numpy>=1.24; python_version >= "3.9"'],
    ["zope.interface===5.4.0", "zope-interface===5.4.0"],
    [
      "pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl",
      "pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl",
    ],
    ["six==1.17.0 --hash=sha256:bbb --hash sha256:aaa", "six==1.17.0 --hash=sha256:aaa --hash=sha256:bbb"],
  ])("%s -> %s", (input, expected) => {
    expect(normaliseRequirement(input)).toBe(expected);
  });

  it("rejects what is not a requirement, saying what it saw", () => {
    expect(() => normaliseRequirement("numpy=>1.0")).toThrow(/bad version specifier/);
    expect(() => parseRequirement("!!!")).toThrow(/not a requirement/);
  });

  it("is idempotent", () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,10}[A-Za-z0-9]$/);
    const ver = fc.stringMatching(/^[0-9]{1,2}(\.[0-9]{1,2}){0,2}$/);
    const op = fc.constantFrom("==", ">=", "<", "~=", "!=");
    const line = fc
      .tuple(name, fc.array(fc.tuple(op, ver), { maxLength: 3 }), fc.boolean())
      .map(([n, specs, sp]) => n + specs.map(([o, v]) => `${sp ? " " : ""}${o}${sp ? " " : ""}${v}`).join(","));
    fc.assert(
      fc.property(line, (l) => {
        const once = normaliseRequirement(l);
        expect(normaliseRequirement(once)).toBe(once);
      }),
    );
  });

  it("PEP 503 names", () => {
    expect(normaliseName("Foo__Bar.baz--Qux")).toBe("foo-bar-baz-qux");
  });
});

describe("parseRequirementsTxt", () => {
  it("handles comments, continuations, options and unsupported lines, reporting what it drops", () => {
    const text = [
      "# header",
      "Flask==2.0 # web",
      "numpy>=1.24 \\",
      "   ,<2",
      "",
      "--index-url https://example.invalid/simple",
      "-e git+https://example.invalid/x.git#egg=x",
      "./local/pkg",
      "-c constraints.txt",
      "flask==2.0",
    ].join("\n");
    const r = parseRequirementsTxt(text);
    expect(r.requirements).toEqual(["flask==2.0", "numpy<2,>=1.24"]);
    expect(r.ignored.map((i) => i.entry)).toEqual([
      "--index-url https://example.invalid/simple",
      "-e git+https://example.invalid/x.git#egg=x",
      "./local/pkg",
      "-c constraints.txt",
    ]);
    expect(r.ignored[0]?.reason).toMatch(/sources are chosen by the harness/);
    expect(r.ignored[1]?.reason).toMatch(/offline/);
  });

  it("resolves -r includes through the resolver and catches cycles", () => {
    const files: Record<string, string> = { "a.txt": "-r b.txt\nsix", "b.txt": "-r a.txt\nattrs==23.1" };
    const r = parseRequirementsTxt(
      files["a.txt"] ?? "",
      (p) => {
        const t = files[p];
        if (t === undefined) throw new Error(`no ${p}`);
        return t;
      },
      new Set(["a.txt"]),
    );
    expect(r.requirements).toEqual(["attrs==23.1", "six"]);
    expect(r.ignored).toEqual([{ entry: "-r a.txt", reason: "circular include" }]);
  });

  it("reports an include it cannot resolve instead of dropping it", () => {
    const r = parseRequirementsTxt("-r other.txt\nsix");
    expect(r.requirements).toEqual(["six"]);
    expect(r.ignored[0]).toEqual({ entry: "-r other.txt", reason: "included file not available" });
  });

  it("parses a uv/pip-compile lock with hashes and 'via' comments", () => {
    const lock =
      "a==1.0 \\\n    --hash=sha256:22 \\\n    --hash=sha256:11\n    # via b\nb==2.0 \\\n    --hash=sha256:33\n";
    const r = parseRequirementsTxt(lock);
    expect(r.requirements).toEqual(["a==1.0 --hash=sha256:11 --hash=sha256:22", "b==2.0 --hash=sha256:33"]);
    expect(hashPinned(r.requirements)).toBe(true);
    expect(hashPinned(["a==1.0 --hash=sha256:11", "c"])).toBe(false);
  });

  it("gives the same set whatever the order and spelling of the lines", () => {
    const lines = ["numpy>=1.24,<2", "Scikit_Learn==1.3.2", "six"];
    fc.assert(
      fc.property(fc.shuffledSubarray(lines, { minLength: 3, maxLength: 3 }), (shuffled) => {
        expect(parseRequirementsTxt(shuffled.join("\n")).requirements).toEqual(
          parseRequirementsTxt(lines.join("\n")).requirements,
        );
      }),
    );
  });
});

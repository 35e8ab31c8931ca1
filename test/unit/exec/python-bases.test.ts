import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baseRecipe, baseTag } from "../../../harness/exec/base-image.js";
import {
  BASE_SUITES,
  chooseBase,
  DEFAULT_SUITE,
  PYTHON_BASES,
  pythonMismatch,
} from "../../../harness/exec/python-bases.js";

describe("base recipes per suite", () => {
  let mirror: string | undefined;
  beforeEach(() => {
    mirror = process.env.REPRO_AUDIT_DEBIAN_MIRROR;
    delete process.env.REPRO_AUDIT_DEBIAN_MIRROR;
  });
  afterEach(() => {
    if (mirror !== undefined) process.env.REPRO_AUDIT_DEBIAN_MIRROR = mirror;
  });

  it.skipIf(process.arch !== "x64")(
    "keeps bookworm's recipe and tag as they were before there were several bases",
    () => {
      // Machines and CI have this image cached under this tag: a changed recipe would rebuild it everywhere.
      expect(baseTag()).toBe("repro-audit/base:3e5d09234c914883");
      expect(baseTag(baseRecipe("bookworm"))).toBe("repro-audit/base:3e5d09234c914883");
      expect(baseRecipe()).toEqual({
        scriptVersion: 1,
        suite: "bookworm",
        variant: "minbase",
        packages: ["ca-certificates", "python3", "python3-pip", "python3-venv"],
        mirror: "http://deb.debian.org/debian",
        arch: "amd64",
      });
    },
  );

  it("differs between suites only by the suite, and each suite has its own tag", () => {
    const tags = new Set(BASE_SUITES.map((s) => baseTag(baseRecipe(s))));
    expect(tags.size).toBe(BASE_SUITES.length);
    for (const s of BASE_SUITES) expect(baseRecipe(s)).toEqual({ ...baseRecipe(), suite: s });
  });

  it("has a table entry for every suite, oldest first, the default among them", () => {
    expect(PYTHON_BASES.map((b) => b.suite)).toEqual([...BASE_SUITES]);
    expect(PYTHON_BASES.map((b) => b.minor)).toEqual(["3.9", "3.11", "3.13"]);
    for (const b of PYTHON_BASES) expect(b.expected.startsWith(`${b.minor}.`)).toBe(true);
    expect(BASE_SUITES).toContain(DEFAULT_SUITE);
  });
});

describe("chooseBase", () => {
  it.each([undefined, "", "  "])("asks for nothing (%j): the default, bookworm, nothing to name", (req) => {
    const c = chooseBase(req);
    expect(c.base.suite).toBe("bookworm");
    expect(c.fit).toBe("default");
    expect(c.mismatch).toBeUndefined();
    expect(c.requested).toBeUndefined();
  });

  // [request, suite, fit, mismatch actual (undefined: none)]
  it.each([
    // one base satisfies it
    ["3.9", "bullseye", "satisfies", undefined],
    ["3.9.2", "bullseye", "satisfies", undefined],
    ["3.9.*", "bullseye", "satisfies", undefined],
    ["==3.9", "bullseye", "satisfies", undefined],
    ["3.11", "bookworm", "satisfies", undefined],
    ["3.11.2", "bookworm", "satisfies", undefined],
    ["3.13", "trixie", "satisfies", undefined],
    ["3.13.5", "trixie", "satisfies", undefined],
    [">=3.10,<3.12", "bookworm", "satisfies", undefined],
    [">=3.12", "trixie", "satisfies", undefined],
    ["<3.10", "bullseye", "satisfies", undefined],
    ["~=3.9.0", "bullseye", "satisfies", undefined],
    ["~=3.13.0", "trixie", "satisfies", undefined],
    ["python 3.9", "bullseye", "satisfies", undefined],
    // several satisfy it: the default when among them (today's image stays), else the newest
    ["~=3.9", "bookworm", "satisfies", undefined],
    [">=3.9", "bookworm", "satisfies", undefined],
    ["3", "bookworm", "satisfies", undefined],
    ["<3.14", "bookworm", "satisfies", undefined],
    ["!=3.11.*", "trixie", "satisfies", undefined],
    [">=3.9,!=3.11.*", "trixie", "satisfies", undefined],
    ["<3.11", "bullseye", "satisfies", undefined],
    // the minor is there, not the patch: that minor, the patch named
    ["3.9.18", "bullseye", "same-minor", "3.9.2"],
    ["==3.9.18", "bullseye", "same-minor", "3.9.2"],
    ["3.11.4", "bookworm", "same-minor", "3.11.2"],
    ["3.13.1", "trixie", "same-minor", "3.13.5"],
    [">=3.9.5,<3.10", "bullseye", "same-minor", "3.9.2"],
    ["~=3.11.5", "bookworm", "same-minor", "3.11.2"],
    // no base has the minor: the nearest; a tie goes to the newer
    ["3.8", "bullseye", "nearest", "3.9.2"],
    ["3.8.10", "bullseye", "nearest", "3.9.2"],
    ["3.7.3", "bullseye", "nearest", "3.9.2"],
    ["3.6", "bullseye", "nearest", "3.9.2"],
    ["3.10", "bookworm", "nearest", "3.11.2"],
    ["3.10.12", "bookworm", "nearest", "3.11.2"],
    ["==3.10.*", "bookworm", "nearest", "3.11.2"],
    ["3.12", "trixie", "nearest", "3.13.5"],
    [">=3.12,<3.13", "trixie", "nearest", "3.13.5"],
    ["3.14", "trixie", "nearest", "3.13.5"],
    [">=3.14", "trixie", "nearest", "3.13.5"],
    ["<3.9", "bullseye", "nearest", "3.9.2"],
    ["3.20", "trixie", "nearest", "3.13.5"],
    // nothing python 3 could be: the default, named
    ["2.7", "bookworm", "unreadable", "3.11.2"],
    ["latest please", "bookworm", "unreadable", "3.11.2"],
    [">=3.12,<3.10", "bookworm", "unreadable", "3.11.2"],
  ] as const)("%s -> %s (%s)", (req, suite, fit, actual) => {
    const c = chooseBase(req);
    expect(c.base.suite).toBe(suite);
    expect(c.fit).toBe(fit);
    expect(c.requested).toBe(req.trim());
    expect(c.mismatch).toEqual(actual === undefined ? undefined : { what: "python", requested: req, actual });
    expect(c.reason).toContain(req);
    expect(c.reason).toContain(suite);
  });

  it("satisfies a request with the base's expected python, so what it chooses never names a mismatch against itself", () => {
    for (const req of ["3.9", ">=3.10,<3.12", "3.13", "~=3.9"]) {
      const c = chooseBase(req);
      expect(pythonMismatch(req, c.base.expected)).toBeUndefined();
    }
  });

  it("says the patch or the nearest in its reason", () => {
    expect(chooseBase("3.9.18").reason).toMatch(/same minor but not the patch/);
    expect(chooseBase("3.8").reason).toMatch(/nearest, bullseye \(python 3\.9\.2\)/);
  });
});

describe("pythonMismatch (the one rule the build and the chooser share)", () => {
  it.each([
    [undefined, "3.9.2", undefined],
    ["", "3.9.2", undefined],
    ["3.9", "3.9.2", undefined],
    ["3.9.18", "3.9.2", { what: "python", requested: "3.9.18", actual: "3.9.2" }],
    ["3.8.10", "3.9.2", { what: "python", requested: "3.8.10", actual: "3.9.2" }],
    [">=3.10", "3.11.2", undefined],
  ] as const)("%j on %s -> %j", (req, actual, want) => {
    expect(pythonMismatch(req, actual)).toEqual(want);
  });
});

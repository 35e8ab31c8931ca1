import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScanDocumentSchema, type ScanDocument } from "../../harness/scan/document.js";
import { buildCli, runCliProcess } from "../support/cli.js";

// `repro-audit scan` as users run it: the built CLI over the fixtures and the bundled
// scenarios, with the host's python3 parsing. Exit codes, the JSON document, git's
// ignore rules against a plain walk, and terminal escaping of what files hold.

let scratch: string;
const env = { ...process.env };
const scan = (args: string[]) => runCliProcess(["scan", ...args], env, 30_000);
const IGNORED = "import mlflow\nimport numpy as np\nmlflow.log_param('a', 1)\nnp.random.rand(3)\n";

function documentOf(stdout: string): ScanDocument {
  return ScanDocumentSchema.parse(JSON.parse(stdout));
}

describe("repro-audit scan (CLI)", () => {
  beforeAll(async () => {
    await buildCli("dist/harness/cli/commands/scan-action.js");
    scratch = mkdtempSync(join(tmpdir(), "repro-audit-scan-"));
    for (const name of ["in-git", "plain"]) {
      cpSync("test/fixtures/scan/hazards", join(scratch, name), { recursive: true });
      // git-ignored by the fixture's .gitignore (ignored_*.py): only a walk reads it
      writeFileSync(join(scratch, name, "ignored_notes.py"), IGNORED);
    }
    execFileSync("git", ["init", "-q", join(scratch, "in-git")]);
    // a folder git ignores as a whole
    mkdirSync(join(scratch, "in-git", "notes"));
    writeFileSync(join(scratch, "in-git", "notes", "x.py"), IGNORED);
    appendFileSync(join(scratch, "in-git", ".gitignore"), "notes/\n");
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("scans fixtures and scenarios: JSON document, every call counted, broken files skipped, exit 1", async () => {
    const r = await scan(["--json", "--projects", "test/fixtures/scan", "scenarios"]);
    expect(r.code, r.stderr).toBe(1);
    const doc = documentOf(r.stdout);
    const byPath = new Map(doc.projects.map((p) => [p.path, p]));
    expect([...byPath.keys()]).toEqual([
      "test/fixtures/scan/broken",
      "test/fixtures/scan/hazards",
      "test/fixtures/scan/seeded",
      "test/fixtures/scan/tracking",
      "scenarios/basic",
      "scenarios/mlp",
    ]);
    const tracking = byPath.get("test/fixtures/scan/tracking");
    expect(new Set(tracking?.features.map((f) => f.feature)).size).toBe(13);
    expect(tracking?.hazards.find((h) => h.cell !== undefined)).toMatchObject({
      file: "hazards.ipynb",
      cell: 2,
      line: 2,
    });
    expect(byPath.get("test/fixtures/scan/broken")?.skipped.map((s) => s.file)).toEqual(["py2.py", "truncated.ipynb"]);
    expect(byPath.get("test/fixtures/scan/broken")?.features.map((f) => f.feature)).toEqual(["log_metric"]);
    expect(byPath.get("test/fixtures/scan/seeded")?.hazards).toEqual([]);
    const hazards = byPath.get("test/fixtures/scan/hazards");
    expect(hazards?.listing).toBe("git");
    expect(hazards?.hazards.some((h) => h.file.includes("venv/"))).toBe(false);
    expect(new Set(hazards?.hazards.map((h) => h.kind))).toEqual(
      new Set(["unseeded-rng", "gpu-nondeterminism", "runtime-download", "unpinned-requirement"]),
    );
    expect(byPath.get("scenarios/basic")?.features.map((f) => f.feature)).toEqual(
      expect.arrayContaining(["start_run", "log_params", "log_metrics"]),
    );
    expect(doc.aggregate.projects).toBe(6);
    expect(doc.aggregate.features.find((f) => f.feature === "start_run")).toMatchObject({ projects: 3 });
  });

  it("skips what git ignores in a work tree, reads it in a plain folder; vendored folders skipped in both", async () => {
    const r = await scan(["--json", join(scratch, "in-git"), join(scratch, "plain"), join(scratch, "in-git", "notes")]);
    expect(r.code, r.stderr).toBe(1);
    const [inGit, plain, notes] = documentOf(r.stdout).projects;
    expect(notes).toMatchObject({ listing: "git", features: [], hazards: [] });
    expect(notes?.skipped).toEqual([{ file: ".", reason: expect.stringMatching(/^the folder is git-ignored/) }]);
    expect(inGit?.listing).toBe("git");
    expect(plain?.listing).toBe("walk");
    expect(inGit?.hazards.some((h) => h.file === "ignored_notes.py")).toBe(false);
    expect(plain?.hazards.filter((h) => h.file === "ignored_notes.py").map((h) => h.line)).toEqual([4]);
    expect(plain?.features.map((f) => f.file)).toEqual(["ignored_notes.py"]);
    for (const p of [inGit, plain]) expect(p?.hazards.some((h) => h.file.startsWith("venv/"))).toBe(false);
  });

  it("exits 0 with no hazard, prints the table and writes --markdown", async () => {
    const md = join(scratch, "scan.md");
    const r = await scan(["--markdown", md, "test/fixtures/scan/seeded"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test\/fixtures\/scan\/seeded\s*│\s*1 py, 0 nb\s*│\s*none/);
    expect(readFileSync(md, "utf8")).toMatch(/^# repro-audit scan\n/);
  });

  it("shows a file name's control characters escaped, and a missing folder is bad input (exit 2)", async () => {
    const evil = mkdtempSync(join(scratch, "evil-"));
    writeFileSync(join(evil, "a\u001b[2Jb.py"), "import random\nrandom.random()\n");
    const r = await scan([evil]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("a\\x1b[2Jb.py:2");
    expect(r.stdout).not.toContain("\u001b[2J");
    const missing = await scan(["no/such/folder"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      "repro-audit scan: bad input: no/such/folder: no such folder (scan takes folders: repro-audit scan DIR...)",
    );
  });
});

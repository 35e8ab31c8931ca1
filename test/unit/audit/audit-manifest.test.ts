import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AUDIT_MANIFEST, readManifest, sameSelection, writeManifest } from "../../../harness/audit/audit-manifest.js";

describe("audit manifest", () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "manifest-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("round-trips the selection", async () => {
    const d = join(dir(), "nested", "audit-1");
    const manifest = {
      auditId: "audit-1",
      createdAt: "2026-11-26T00:00:00.000Z",
      selection: { kind: "runs" as const, runIds: ["a", "b"] },
    };
    await writeManifest(d, manifest);
    expect(readManifest(d)).toEqual(manifest);
  });

  it("is undefined for a folder without one, and a readable error for a broken one", () => {
    const d = dir();
    expect(readManifest(d)).toBeUndefined();
    writeFileSync(
      join(d, AUDIT_MANIFEST),
      JSON.stringify({ auditId: "x", createdAt: "t", selection: { kind: "runs", runIds: [] } }),
    );
    expect(() => readManifest(d)).toThrow(/audit\.json is not an audit manifest[\s\S]*runIds/);
    writeFileSync(join(d, AUDIT_MANIFEST), '{"auditId": "x", "sel');
    expect(() => readManifest(d)).toThrow(/audit\.json is not valid JSON .*give the selection again/);
  });

  it("compares selections regardless of list order, but not across kinds or values", () => {
    expect(sameSelection({ kind: "runs", runIds: ["a", "b"] }, { kind: "runs", runIds: ["b", "a"] })).toBe(true);
    expect(sameSelection({ kind: "runs", runIds: ["a"] }, { kind: "runs", runIds: ["a", "b"] })).toBe(false);
    expect(
      sameSelection(
        { kind: "experiment", experiments: ["e"], filter: "x" },
        { kind: "experiment", experiments: ["e"] },
      ),
    ).toBe(false);
    expect(
      sameSelection(
        { kind: "model_version", model: "m", version: "1" },
        { kind: "model_alias", model: "m", alias: "1" },
      ),
    ).toBe(false);
  });
});

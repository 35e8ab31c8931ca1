import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { originalEnvironment } from "../../../harness/audit/original-environment.js";
import { ALIASES, REPRO_NAMESPACE, Tags, findTag, readTag, spellings } from "../../../harness/tracking/tags.js";
import { buildChecklist } from "../../../harness/trace/checklist.js";
import { fullSubject, withRun } from "../trace/recorded.js";

const HARNESS = new URL("../../../harness/", import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("the tag vocabulary", () => {
  it("spells every repro.* name by one rule: dots between levels, underscores between the words of a level", () => {
    const repro = Object.values(Tags).filter((n) => n.startsWith(REPRO_NAMESPACE));
    expect(repro.length).toBeGreaterThan(10);
    for (const name of repro) expect(name, name).toMatch(/^repro(\.[a-z]+(_[a-z]+)*)+$/);
  });

  it("gives each canonical name once", () => {
    const names = Object.values(Tags);
    expect(new Set(names).size).toBe(names.length);
    for (const aliases of Object.values(ALIASES)) for (const a of aliases ?? []) expect(names).not.toContain(a);
  });

  it("reads the canonical name first, then the older spellings; blank values do not count", () => {
    expect(spellings(Tags.imageId)).toEqual(["repro.image.id", "repro.image_id"]);
    expect(findTag({ "repro.image_id": "sha256:old" }, [Tags.imageId])).toEqual({
      name: "repro.image_id",
      value: "sha256:old",
    });
    expect(readTag({ "repro.image_id": "sha256:old", "repro.image.id": "sha256:new" }, Tags.imageId)).toBe(
      "sha256:new",
    );
    expect(readTag({ "repro.image.id": "  ", "repro.image_id": "sha256:old" }, Tags.imageId)).toBe("sha256:old");
    expect(readTag({}, Tags.imageId)).toBeUndefined();
  });

  it("lets runs recorded with the old image-id spelling still read right", () => {
    expect(originalEnvironment({ tags: { "repro.image_id": "sha256:abc" } }).fingerprint?.imageId).toBe("sha256:abc");
    const old = withRun(fullSubject(), (run) => {
      run.data.tags = [
        ...run.data.tags.filter((t) => !t.key.includes("image")),
        { key: "repro.image_id", value: "sha256:abc" },
      ];
    });
    expect(buildChecklist(old).find((i) => i.id === "image")).toMatchObject({
      status: "present",
      detail: "repro.image_id=sha256:abc",
    });
  });

  it("is the only place in harness/ that spells a tag name as a string literal", () => {
    // A whole quoted literal that looks like an mlflow.* or repro.* tag name; file names are not tags.
    const literal = /(["'`])((?:mlflow|repro)\.[A-Za-z_.]+)\1/g;
    const offenders: string[] = [];
    for (const file of sourceFiles(HARNESS)) {
      const rel = relative(HARNESS, file);
      if (rel === join("tracking", "tags.ts")) continue;
      for (const m of readFileSync(file, "utf8").matchAll(literal)) {
        if (m[2] !== "mlflow.db") offenders.push(`${rel}: ${m[2]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

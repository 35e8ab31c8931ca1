import { describe, expect, it } from "vitest";
import { workdirNotCopyable } from "../../../harness/exec/image-workdir.js";

describe("workdirNotCopyable", () => {
  it("copies an image's own folder", () => {
    expect(workdirNotCopyable("/app")).toBeUndefined();
    expect(workdirNotCopyable("/opt/project/")).toBeUndefined();
    expect(workdirNotCopyable("/codebase")).toBeUndefined();
  });

  it("not the root, and nothing on or around the harness's own mounts", () => {
    expect(workdirNotCopyable("/")).toMatch(/no working directory/);
    expect(workdirNotCopyable("")).toMatch(/no working directory/);
    expect(workdirNotCopyable("/tmp")).toMatch(/overlaps the harness's own \/tmp/);
    expect(workdirNotCopyable("/tmp/work")).toMatch(/\/tmp/);
    expect(workdirNotCopyable("/code")).toMatch(/\/code/);
    expect(workdirNotCopyable("/repro/out")).toMatch(/\/repro/);
    expect(workdirNotCopyable("/out")).toMatch(/\/out/);
  });
});

import { describe, expect, it } from "vitest";
import { machineFor, platformTags, unavailableRequirement, wheelNameVersion } from "../../../harness/exec/wheels.js";

describe("wheel targeting", () => {
  it("lists every manylinux tag a glibc 2.36 x86_64 image accepts, newest first", () => {
    const tags = platformTags({ pythonMinor: "3.11", glibc: "2.36", machine: "x86_64" });
    expect(tags[0]).toBe("manylinux_2_36_x86_64");
    expect(tags).toContain("manylinux_2_28_x86_64");
    expect(tags).toContain("manylinux_2_17_x86_64");
    expect(tags).toContain("manylinux2014_x86_64");
    expect(tags).toContain("manylinux1_x86_64");
    expect(tags).not.toContain("manylinux_2_37_x86_64");
    expect(tags.filter((t) => t.startsWith("manylinux_2_"))).toHaveLength(32);
  });

  it("an older glibc does not accept newer wheels; aarch64 has no legacy manylinux1", () => {
    const tags = platformTags({ pythonMinor: "3.11", glibc: "2.17", machine: "aarch64" });
    expect(tags[0]).toBe("manylinux_2_17_aarch64");
    expect(tags).not.toContain("manylinux_2_28_aarch64");
    expect(tags).not.toContain("manylinux1_aarch64");
    expect(machineFor("amd64")).toBe("x86_64");
    expect(machineFor("arm64")).toBe("aarch64");
  });

  it("reads name and version from wheel file names", () => {
    expect(wheelNameVersion("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")).toEqual([
      "numpy",
      "1.26.4",
    ]);
    expect(wheelNameVersion("scikit_learn-1.3.2-cp311-cp311-manylinux_2_17_x86_64.whl")).toEqual([
      "scikit-learn",
      "1.3.2",
    ]);
    expect(wheelNameVersion("six-1.17.0-1-py2.py3-none-any.whl")).toEqual(["six", "1.17.0"]);
    expect(wheelNameVersion("requirements.txt")).toBeUndefined();
  });

  it("finds the requirement pip could not satisfy", () => {
    const stderr =
      "ERROR: Could not find a version that satisfies the requirement markupsafe==2.0.1 (from versions: 2.1.2, 3.0.2)\n" +
      "ERROR: No matching distribution found for markupsafe==2.0.1\n";
    expect(unavailableRequirement(stderr)).toBe("markupsafe==2.0.1");
    expect(unavailableRequirement("ERROR: network unreachable")).toBeUndefined();
  });
});

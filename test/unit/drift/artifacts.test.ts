import { describe, expect, it } from "vitest";
import { compareArtifacts } from "../../../harness/drift/artifacts.js";

describe("compareArtifacts", () => {
  it("marks a file identical only when every finished replay has the original hash", () => {
    const out = compareArtifacts(
      { "model.pkl": "aa", "plot.png": "bb" },
      [{ "model.pkl": "aa", "plot.png": "bb" }, { "model.pkl": "aa", "plot.png": "cc" }, undefined],
      [true, true, false],
    );
    expect(out).toEqual([
      { path: "model.pkl", originalSha256: "aa", replaySha256: ["aa", "aa", null], identical: true },
      { path: "plot.png", originalSha256: "bb", replaySha256: ["bb", "cc", null], identical: false },
    ]);
  });
  it("lists files only in replays or missing in a replay, sorted by path", () => {
    const out = compareArtifacts({ "b.bin": "x" }, [{ "a.log": "y" }], [true]);
    expect(out.map((a) => [a.path, a.identical, a.replaySha256])).toEqual([
      ["a.log", false, ["y"]],
      ["b.bin", false, [null]],
    ]);
    expect(out[0]?.originalSha256).toBeUndefined();
  });
  it("is never identical when no replay finished", () => {
    expect(compareArtifacts({ m: "x" }, [{ m: "x" }], [false])[0]?.identical).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import {
  type WorkTreeEntry,
  type WorkTreeListing,
  copiedLinkTarget,
  diffWorkTree,
  formatBytes,
  insideRoot,
} from "../../../harness/exec/work-tree-diff.js";

const file = (path: string, size: number, stamp = `s-${path}-${size}`): WorkTreeEntry => ({
  path,
  kind: "file",
  size,
  stamp,
});
const listing = (entries: WorkTreeEntry[], incomplete?: string): WorkTreeListing => ({
  entries: new Map(entries.map((e) => [e.path, e])),
  ...(incomplete !== undefined ? { incomplete } : {}),
});

describe("diffWorkTree: what a replay wrote in its copy", () => {
  const before = listing([file("train.py", 100, "a"), file("data/x.csv", 10, "b"), file("old.txt", 3, "c")]);

  it("lists nothing for an untouched copy", () => {
    expect(diffWorkTree(before, listing([...before.entries.values()]))).toEqual({ outputs: [], omitted: 0 });
  });

  it("lists added, modified and deleted files: written first by path, deletions last", () => {
    const after = listing([
      file("train.py", 100, "a"),
      file("data/x.csv", 10, "b2"), // same size, rewritten: the stamp (ctime) says so
      file("outputs/plot.png", 2048),
      file("model.pkl", 7),
    ]);
    expect(diffWorkTree(before, after).outputs).toEqual([
      { path: "data/x.csv", change: "modified", kind: "file", size: 10 },
      { path: "model.pkl", change: "added", kind: "file", size: 7 },
      { path: "outputs/plot.png", change: "added", kind: "file", size: 2048 },
      { path: "old.txt", change: "deleted", kind: "file", size: 3 },
    ]);
  });

  it("counts a file replaced by a symlink as modified, with its new kind", () => {
    const after = listing([
      { path: "train.py", kind: "symlink", size: 11, stamp: "a" },
      file("data/x.csv", 10, "b"),
      file("old.txt", 3, "c"),
    ]);
    expect(diffWorkTree(before, after).outputs).toEqual([
      { path: "train.py", change: "modified", kind: "symlink", size: 11 },
    ]);
  });

  it("caps the list and counts the rest", () => {
    const after = listing([
      ...before.entries.values(),
      ...Array.from({ length: 7 }, (_, i) => file(`out/${String(i).padStart(2, "0")}.txt`, i)),
    ]);
    const d = diffWorkTree(before, after, 3);
    expect(d.outputs.map((o) => o.path)).toEqual(["out/00.txt", "out/01.txt", "out/02.txt"]);
    expect(d.omitted).toBe(4);
  });

  it("does not call files deleted when the listing after the replay stopped early", () => {
    const after = listing([file("train.py", 100, "a")], "the work tree holds more than 200000 entries");
    expect(diffWorkTree(before, after).outputs).toEqual([]);
  });
});

describe("copied symlinks stay inside the copy", () => {
  it("insideRoot: a path inside the code folder, relative to it; outside: undefined", () => {
    expect(insideRoot("/scratch/code", "/scratch/code/data/x.csv")).toBe("data/x.csv");
    expect(insideRoot("/scratch/code", "/scratch/code")).toBe("");
    expect(insideRoot("/scratch/code", "/scratch/code/../code/a")).toBe("a");
    expect(insideRoot("/scratch/code", "/scratch/codex/a")).toBeUndefined();
    expect(insideRoot("/scratch/code", "/scratch")).toBeUndefined();
    expect(insideRoot("/scratch/code", "/etc/passwd")).toBeUndefined();
  });

  it("copiedLinkTarget: a relative link to the same place in the copy, or none for a link out", () => {
    expect(copiedLinkTarget("latest", "runs/3")).toBe("runs/3");
    expect(copiedLinkTarget("src/data", "data")).toBe("../data");
    expect(copiedLinkTarget("a/b/c", "a/x")).toBe("../x");
    // A link to the code folder itself, from a subfolder.
    expect(copiedLinkTarget("sub/root", "")).toBe("..");
    expect(copiedLinkTarget("self", "")).toBe(".");
    expect(copiedLinkTarget("escape", undefined)).toBeUndefined();
    expect(copiedLinkTarget("escape", "../outside")).toBeUndefined();
    expect(copiedLinkTarget("escape", "/etc/passwd")).toBeUndefined();
  });
});

describe("formatBytes", () => {
  it("reads in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(512 * 1024 ** 2)).toBe("512.0 MiB");
  });
});

import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diffWorkTree } from "../../../harness/exec/work-tree-diff.js";
import {
  WorkTreeTooLargeError,
  copyWorkTree,
  listWorkTree,
  measureCodeTree,
  removeWorkTree,
  withHashes,
} from "../../../harness/exec/work-tree.js";

// The copy a replay gets, on real temporary folders: what is copied and how, what is
// left out, and what a listing after the replay finds.

let scratch: string;
let src: string;
let outside: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "repro-audit-work-tree-"));
  src = join(scratch, "code");
  outside = join(scratch, "outside");
  mkdirSync(join(src, "data"), { recursive: true });
  mkdirSync(join(src, ".git"));
  mkdirSync(outside);
  writeFileSync(join(src, "train.py"), "print('hi')\n");
  writeFileSync(join(src, "run.sh"), "#!/bin/sh\n");
  chmodSync(join(src, "run.sh"), 0o755);
  writeFileSync(join(src, "data", "x.csv"), "a,b\n");
  writeFileSync(join(src, ".git", "HEAD"), "ref: refs/heads/main\n");
  writeFileSync(join(outside, "secret.txt"), "not yours\n");
  symlinkSync("data/x.csv", join(src, "latest.csv"));
  symlinkSync(join(src, "data"), join(src, "abs-data"));
  symlinkSync("../outside/secret.txt", join(src, "escape"));
  symlinkSync(outside, join(src, "escape-dir"));
  symlinkSync("missing/file", join(src, "dangling"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("copyWorkTree", () => {
  it("copies the files writable by anyone, keeps the executable bit, leaves .git out", () => {
    const dest = join(scratch, "work");
    const { listing } = copyWorkTree(src, dest);
    expect(readFileSync(join(dest, "train.py"), "utf8")).toBe("print('hi')\n");
    expect(statSync(join(dest, "train.py")).mode & 0o777).toBe(0o666);
    expect(statSync(join(dest, "run.sh")).mode & 0o777).toBe(0o777);
    expect(statSync(join(dest, "data")).mode & 0o777).toBe(0o777);
    expect(statSync(dest).mode & 0o777).toBe(0o777);
    expect(existsSync(join(dest, ".git"))).toBe(false);
    expect([...listing.entries.keys()].sort()).toEqual([
      "abs-data",
      "dangling",
      "data/x.csv",
      "latest.csv",
      "run.sh",
      "train.py",
    ]);
  });

  it("keeps links inside the code folder as relative links into the copy, leaves links out of it out, with notes", () => {
    const dest = join(scratch, "work");
    const { notes } = copyWorkTree(src, dest);
    expect(readlinkSync(join(dest, "latest.csv"))).toBe("data/x.csv");
    // An absolute link into the code folder points into the copy, not back at the source.
    expect(readlinkSync(join(dest, "abs-data"))).toBe("data");
    expect(readFileSync(join(dest, "abs-data", "x.csv"), "utf8")).toBe("a,b\n");
    expect(readlinkSync(join(dest, "dangling"))).toBe("missing/file");
    expect(existsSync(join(dest, "escape"))).toBe(false);
    expect(() => lstatSync(join(dest, "escape-dir"))).toThrow();
    expect(notes).toEqual([
      "symlink escape -> ../outside/secret.txt points outside the code folder: left out of the replay's copy",
      `symlink escape-dir -> ${outside} points outside the code folder: left out of the replay's copy`,
    ]);
  });

  it("leaves a named pipe out with a note (copying it would block)", () => {
    execFileSync("mkfifo", [join(src, "pipe")]);
    const { notes } = copyWorkTree(src, join(scratch, "work"));
    expect(existsSync(join(scratch, "work", "pipe"))).toBe(false);
    expect(notes.some((n) => n.startsWith("pipe is not a regular file"))).toBe(true);
  });

  it("refuses a folder over the limits, measured or copied, and leaves no partial copy", () => {
    expect(measureCodeTree(src)).toEqual({ bytes: 12 + 10 + 4, files: 3 });
    expect(() => measureCodeTree(src, { maxBytes: 20, maxFiles: 100 })).toThrow(WorkTreeTooLargeError);
    expect(() => measureCodeTree(src, { maxBytes: 1e9, maxFiles: 2 })).toThrow(/more than 2 files/);
    const dest = join(scratch, "work");
    expect(() => copyWorkTree(src, dest, { maxBytes: 20, maxFiles: 100 })).toThrow(/more than 20 B/);
    expect(existsSync(dest)).toBe(false);
  });

  it("leaves the source as it was", () => {
    const before = JSON.stringify([...listWorkTree(src).entries.values()].map((e) => [e.path, e.stamp]).sort());
    copyWorkTree(src, join(scratch, "work"));
    expect(JSON.stringify([...listWorkTree(src).entries.values()].map((e) => [e.path, e.stamp]).sort())).toBe(before);
  });
});

describe("listWorkTree, diff and hashes after a replay", () => {
  it("finds what was written, changed and deleted; hashes small regular files; never follows a link", () => {
    const dest = join(scratch, "work");
    const { listing: before } = copyWorkTree(src, dest);
    // What a workload does in its copy:
    mkdirSync(join(dest, "outputs"));
    writeFileSync(join(dest, "outputs", "x.txt"), "written\n");
    writeFileSync(join(dest, "data", "x.csv"), "a,b\n"); // same content, rewritten
    rmSync(join(dest, "run.sh"));
    symlinkSync(outside, join(dest, "outputs", "to-host")); // a link out, made by the workload
    execFileSync("mkfifo", [join(dest, "outputs", "fifo")]);

    const after = listWorkTree(dest);
    expect(after.entries.has("outputs/to-host/secret.txt")).toBe(false);
    const { outputs, omitted } = diffWorkTree(before, after);
    expect(omitted).toBe(0);
    const hashed = withHashes(dest, outputs);
    expect(hashed).toEqual([
      { path: "data/x.csv", change: "modified", kind: "file", size: 4, sha256: sha("a,b\n") },
      { path: "outputs/fifo", change: "added", kind: "other", size: 0 },
      { path: "outputs/to-host", change: "added", kind: "symlink", size: outside.length },
      { path: "outputs/x.txt", change: "added", kind: "file", size: 8, sha256: sha("written\n") },
      { path: "run.sh", change: "deleted", kind: "file", size: 10 },
    ]);
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe("not yours\n");
  });

  it("does not hash through a file swapped for a link after the listing", () => {
    const dest = join(scratch, "work");
    copyWorkTree(src, dest);
    rmSync(join(dest, "train.py"));
    symlinkSync(join(outside, "secret.txt"), join(dest, "train.py"));
    const [o] = withHashes(dest, [{ path: "train.py", change: "modified", kind: "file", size: 10 }]);
    expect(o?.sha256).toBeUndefined();
  });

  it("removes the copy", () => {
    const dest = join(scratch, "work");
    copyWorkTree(src, dest);
    expect(removeWorkTree(dest)).toBeUndefined();
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(join(src, "train.py"))).toBe(true);
  });
});

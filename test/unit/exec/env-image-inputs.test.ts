import { describe, expect, it } from "vitest";
import { contentHash } from "../../../harness/exec/content-hash.js";
import { dockerfile, envImageInputs, envImageKey } from "../../../harness/exec/env-image.js";
import { parseRequirementsTxt } from "../../../harness/exec/requirements.js";
import { NOTEBOOK_RUNNER_PATH, NOTEBOOK_TOOLING } from "../../../harness/exec/notebook-tooling.js";

const target = { pythonMinor: "3.11", glibc: "2.36", machine: "x86_64" };

describe("environment image cache key", () => {
  const key = (reqText: string, python?: string, base = "sha256:base1") =>
    contentHash(envImageInputs(base, parseRequirementsTxt(reqText).requirements, python, target));

  it("is the same for the same set spelled differently", () => {
    expect(key("Scikit_Learn == 1.3.2\nnumpy>=1.24,<2\n")).toBe(key("# c\nnumpy <2, >=1.24\nscikit-learn==1.3.2"));
  });

  it("changes with any input that changes the image or its report", () => {
    const k = key("six==1.17.0", "3.11");
    expect(key("six==1.16.0", "3.11")).not.toBe(k);
    expect(key("six==1.17.0", "3.8")).not.toBe(k);
    expect(key("six==1.17.0")).not.toBe(k);
    expect(key("six==1.17.0", "3.11", "sha256:base2")).not.toBe(k);
  });

  it("ignores key order of the hashed object", () => {
    expect(contentHash({ a: 1, b: [2, { c: 3, d: 4 }] })).toBe(contentHash({ b: [2, { d: 4, c: 3 }], a: 1 }));
    expect(contentHash({ a: [1, 2] })).not.toBe(contentHash({ a: [2, 1] }));
  });
});

describe("envImageKey on the chosen base", () => {
  const bullseye = { imageId: "sha256:bullseye", pythonVersion: "3.9.2", glibcVersion: "2.31" };
  const bookworm = { imageId: "sha256:bookworm", pythonVersion: "3.11.2", glibcVersion: "2.36" };
  const req = { requirements: ["six==1.17.0"], python: "3.9" };

  it("downloads wheels for the base's python and glibc, not the host's", () => {
    expect(envImageKey(bullseye, req).target).toMatchObject({ pythonMinor: "3.9", glibc: "2.31" });
    expect(envImageKey(bookworm, req).target).toMatchObject({ pythonMinor: "3.11", glibc: "2.36" });
  });

  it("puts a local wheel's sha256 in the tag (a rebuilt wheel is a new image), and none changes no tag", () => {
    const wheel = (sha256: string) => ({
      path: "/w/repro_audit_capture-0.1.0-py3-none-any.whl",
      file: "repro_audit_capture-0.1.0-py3-none-any.whl",
      sha256,
    });
    const plain = envImageKey(bookworm, req).tag;
    expect(envImageKey(bookworm, { ...req, localWheels: [] }).tag).toBe(plain);
    const a = envImageKey(bookworm, { ...req, localWheels: [wheel("aa")] }).tag;
    expect(a).not.toBe(plain);
    expect(envImageKey(bookworm, { ...req, localWheels: [wheel("bb")] }).tag).not.toBe(a);
    expect(envImageKey(bookworm, { ...req, localWheels: [wheel("aa")] }).tag).toBe(a);
  });

  it("gives the same requirements on another base another tag", () => {
    expect(envImageKey(bullseye, req).tag).not.toBe(envImageKey(bookworm, req).tag);
    expect(envImageKey(bullseye, req).tag).toBe(envImageKey({ ...bullseye }, { ...req }).tag);
  });
});

describe("dockerfile", () => {
  it("installs only from the copied wheels, with no index, into a venv anyone can read", () => {
    const df = dockerfile("sha256:abc", true);
    expect(df.startsWith("FROM sha256:abc\n")).toBe(true);
    expect(df).toContain("--no-index");
    expect(df).toContain("--find-links /tmp/wheels");
    expect(df).toContain("chmod -R a+rX /opt/venv");
    expect(df).toMatch(/ENV .*PATH=\/opt\/venv\/bin:/);
    expect(df).toContain("PYTHONDONTWRITEBYTECODE=1");
    expect(df).toContain("HOME=/tmp");
  });

  it("installs local wheels after the requirements, offline, from the copied folder", () => {
    const df = dockerfile("sha256:abc", true, { localWheelFiles: ["p-1.0-py3-none-any.whl"] });
    const req = df.indexOf("-r /tmp/wheels/requirements.txt");
    const local = df.indexOf("/tmp/wheels/local/p-1.0-py3-none-any.whl");
    expect(req).toBeGreaterThan(0);
    expect(local).toBeGreaterThan(req);
    expect(df.slice(req, local)).toContain("--no-index");
  });

  it("with no requirements, still makes the venv and runs no pip install", () => {
    const df = dockerfile("sha256:abc", false);
    expect(df).toContain("python3 -m venv /opt/venv");
    expect(df).not.toContain("pip install");
  });
});

describe("notebook tooling in the image", () => {
  const bookworm = { imageId: "sha256:bookworm", pythonVersion: "3.11.2", glibcVersion: "2.36" };
  const req = { requirements: ["six==1.17.0"] };

  it("changes the tag only when asked for, so images made without it keep theirs", () => {
    const plain = envImageKey(bookworm, req).tag;
    expect(envImageKey(bookworm, { ...req, tooling: [] }).tag).toBe(plain);
    const withTooling = envImageKey(bookworm, { ...req, tooling: [...NOTEBOOK_TOOLING] }).tag;
    expect(withTooling).not.toBe(plain);
    expect(envImageKey(bookworm, { ...req, tooling: ["nbclient==0.10.0", "ipykernel==7.4.0"] }).tag).not.toBe(
      withTooling,
    );
  });

  it("installs it in a second offline pip step after the requirements, and copies the runner where the plan runs it", () => {
    const df = dockerfile("sha256:abc", true, { tooling: true });
    const main = df.indexOf("-r /tmp/wheels/requirements.txt");
    const tooling = df.indexOf(
      "--no-index --no-cache-dir --disable-pip-version-check --find-links /tmp/wheels/tooling -r /tmp/wheels/tooling/requirements.txt",
    );
    expect(main).toBeGreaterThan(0);
    expect(tooling).toBeGreaterThan(main);
    const dir = NOTEBOOK_RUNNER_PATH.slice(0, NOTEBOOK_RUNNER_PATH.lastIndexOf("/"));
    expect(df).toContain(`COPY runner/ ${dir}/`);
    expect(df).toContain(`chmod -R a+rX /opt/venv ${dir}`);
    expect(dockerfile("sha256:abc", true)).not.toContain("runner/");
  });
});

import { describe, expect, it } from "vitest";
import type { RunPreview } from "../../../harness/audit/replay-check.js";
import {
  describeImage,
  previewExitCode,
  previewJson,
  renderPreview,
  renderRunPreview,
} from "../../../harness/cli/preview-text.js";
import { plan } from "../audit/audit-factories.js";

// What `audit --dry-run` and `replay --dry-run` print, from previews built here.

const RUN = "0123456789abcdef0123456789abcdef";

const replayable: RunPreview = {
  runId: RUN,
  runName: "wine-a",
  status: "FINISHED",
  plan: plan({
    runId: RUN,
    entryPoint: "main",
    params: { alpha: "0.5", api_key: "sk-live-1234567890" },
    environment: {
      source: "conda_env",
      file: "conda.yaml",
      python: "3.9",
      requirements: ["numpy==1.26.4 --hash=sha256:abc", "scikit-learn==1.5.2 ; python_version>'3'"],
      ignored: [{ entry: "cudatoolkit=11.8", reason: "conda package with no PyPI counterpart" }],
    },
    notes: ["ran the recorded script train.py"],
  }),
  image: {
    kind: "recipe",
    base: "repro-audit/base:b1",
    baseSuite: "bullseye",
    pythonChoice: "python 3.9 asked for: bullseye's python 3.9.2 satisfies it",
    basePresent: true,
    basePython: "3.9.2",
    requirements: 2,
    tag: "repro-audit/env:e1",
    cached: true,
  },
  compared: { metrics: ["r2", "rmse"], artifacts: ["model/model.pkl"] },
  notes: [],
};

const refused: RunPreview = {
  runId: "fedcba9876543210fedcba9876543210",
  runName: "evil\u001b[2Jname",
  compared: { metrics: [] },
  refusal: "run fedcba9876543210fedcba9876543210: nothing to compare: the original recorded no metrics",
  notes: [],
};

describe("dry-run preview text", () => {
  it("shows a replayable run's plan, environment, image, what is compared and limits, as aligned rows", () => {
    expect(renderRunPreview(replayable).split("\n")).toEqual([
      `run ${RUN} "wine-a" (FINISHED): can be replayed`,
      "  command      python train.py --alpha 0.5  (from: scenario)",
      "  entry point  main",
      "  params       alpha=0.5, api_key=<redacted>",
      "  code         scenario /srv/project/scenarios/basic",
      "  environment  conda_env (conda.yaml); python 3.9; 2 requirement(s): numpy==1.26.4, scikit-learn==1.5.2; not honoured: cudatoolkit=11.8 (conda package with no PyPI counterpart)",
      "  image        base repro-audit/base:b1 (bullseye, present, python 3.9.2) + 2 requirement(s) -> repro-audit/env:e1 (cached: reused, not built); python 3.9 asked for: bullseye's python 3.9.2 satisfies it",
      "  compares     metrics r2, rmse; artifacts model/model.pkl",
      "  limits       timeout 60 s, memory 512 MiB, 1 CPU(s), 64 pids",
      "  note         ran the recorded script train.py",
    ]);
  });

  it("shows a refused run with why, server text made harmless", () => {
    const text = renderRunPreview(refused);
    expect(text).toBe(
      'run fedcba9876543210fedcba9876543210 "evil\\x1b[2Jname": CANNOT be replayed\n' +
        "  why  run fedcba9876543210fedcba9876543210: nothing to compare: the original recorded no metrics",
    );
    expect(text).not.toContain("\u001b");
  });

  it("heads the preview with the counts and that nothing was done; exit 2 when any run cannot be replayed", () => {
    const ctx = { command: "audit" as const, selection: 'experiment "wine"', replays: "3", executor: "docker" };
    expect(renderPreview(ctx, [replayable, refused]).split("\n")[0]).toBe(
      'dry run of audit: experiment "wine": 2 run(s), 1 can be replayed, 1 CANNOT; replays per run: 3; executor docker. Nothing was built, run or written.',
    );
    expect(previewExitCode([replayable])).toBe(0);
    expect(previewExitCode([replayable, refused])).toBe(2);
  });

  it("names each kind of image without building one", () => {
    expect(describeImage({ kind: "host" })).toBe(
      "none: the local executor runs on the host (not isolated, not pinned)",
    );
    expect(describeImage({ kind: "named", image: "wine:1", present: false })).toBe(
      "the MLproject's image wine:1: NOT in the engine (never pulled)",
    );
    expect(
      describeImage({
        kind: "recipe",
        base: "repro-audit/base:b1",
        baseSuite: "bookworm",
        basePresent: false,
        requirements: 3,
      }),
    ).toBe(
      "base repro-audit/base:b1 (bookworm, not built yet: debootstrap, about a minute) + 3 requirement(s) -> the image's cache tag follows from the base's ID, once it is built",
    );
    expect(
      describeImage({ ...replayable.image, cached: false } as Extract<RunPreview["image"], { kind: "recipe" }>),
    ).toContain("repro-audit/env:e1 (not cached: wheels downloaded and built)");
  });

  it("gives the same facts as JSON, plans redacted, with replayable and the exit code", () => {
    const doc = JSON.parse(
      previewJson({ command: "replay", replays: "3", executor: "docker" }, [replayable, refused]),
    ) as { exitCode: number; runs: Array<{ replayable: boolean; plan?: { params: Record<string, string> } }> };
    expect(doc.exitCode).toBe(2);
    expect(doc.runs.map((r) => r.replayable)).toEqual([true, false]);
    expect(doc.runs[0]?.plan?.params["api_key"]).toBe("<redacted>");
  });
});

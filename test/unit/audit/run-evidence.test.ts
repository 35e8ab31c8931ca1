import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

import { gatherReplayEvidence } from "../../../harness/audit/run-evidence.js";
import type { RunReader } from "../../../harness/audit/ports.js";

// A run reader that serves one run's files from memory: what reading the
// evidence does with them is what is tested, not the server.
function readerWith(files: Record<string, Buffer | string>): RunReader {
  return {
    getRun: async () => {
      throw new Error("not used");
    },
    listArtifactFiles: async () =>
      Object.entries(files).map(([path, body]) => ({ path, size: Buffer.byteLength(body) })),
    downloadArtifact: async (_runId: string, path: string, dest: string) => writeFile(dest, files[path] ?? ""),
    metricHistory: async () => [],
    loggedModels: async () => [],
    listLoggedModelFiles: async () => [],
    downloadLoggedModelFile: async () => {
      throw new Error("not used");
    },
  };
}

const sha = (body: Buffer | string) => createHash("sha256").update(body).digest("hex");

describe("gatherReplayEvidence", () => {
  it("reads the text of model metadata files beside their hashes, and only theirs", async () => {
    const files = {
      "model/MLmodel": "run_id: abc\nflavors: {}\n",
      "model/requirements.txt": "--extra-index-url https://bob:s3cret@pypi.example.com/simple\nnumpy==2.4.6\n",
      "model/model.pkl": Buffer.from([0x80, 0x04, 0xff]),
      "model/conda.yaml": Buffer.from([0xff, 0xfe, 0x00]),
    };
    const got = await gatherReplayEvidence({
      reader: readerWith(files),
      replayRunIds: ["r1", undefined],
      historyNames: [],
    });
    expect(got.evidence.replayArtifacts?.[0]).toEqual(
      Object.fromEntries(Object.entries(files).map(([p, b]) => [p, sha(b)])),
    );
    // Not UTF-8 (conda.yaml) or not a metadata file (model.pkl): hashed, no text.
    expect(got.evidence.replayArtifactTexts).toEqual([
      {
        "model/MLmodel": files["model/MLmodel"],
        "model/requirements.txt": "--extra-index-url https://pypi.example.com/simple\nnumpy==2.4.6\n",
      },
      undefined,
    ]);
  });
});

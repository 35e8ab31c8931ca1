import { replayNumber } from "../drift/format.js";
import { Tags } from "../tracking/tags.js";
import { DEFAULT_AUDIT_EXPERIMENT } from "./audit-experiment.js";
import type { RunStatus } from "../tracking/schemas.js";

// The replay runs on the real tracking server: one per (audit, original, index),
// created by the harness after the sealed replay ran, and linked to the original by
// tags. A harness killed between creating a run and journaling the replay leaves a
// run behind; the next attempt finds it by its tags and takes it over (or, when it
// already holds a half-imported attempt, deletes it first), so an index never ends
// up with two live replay runs.

/** A replay run as the recorder finds it on the server. */
export interface FoundReplayRun {
  runId: string;
  /** the replay index it was tagged with; undefined when the tag is missing or not an integer */
  index: number | undefined;
  status: RunStatus | undefined;
  /** nothing logged yet (no metrics, no params): an attempt that stopped before importing */
  empty: boolean;
}

/** Where replay runs are recorded: found by their audit and original, created, ended, retired. */
export interface ReplayRecorder {
  /** the experiment replay runs go to, created when missing */
  experimentId(name: string): Promise<string>;
  findReplayRuns(experimentId: string, of: { auditId: string; originalRunId: string }): Promise<FoundReplayRun[]>;
  createRun(
    experimentId: string,
    run: { runName: string; startTime: number; tags: Record<string, string> },
  ): Promise<string>;
  setStatus(runId: string, status: RunStatus, endTime: number): Promise<void>;
  deleteRun(runId: string): Promise<void>;
}

export interface ReplayRunTags {
  command: string;
  executor: string;
  imageId?: string;
}

export class ReplayRunBook {
  private experimentId: string | undefined;
  private existing = new Map<number, FoundReplayRun[]>();

  constructor(
    private readonly recorder: ReplayRecorder,
    private readonly opts: { auditId: string; originalRunId: string; experimentName?: string },
  ) {}

  /** Finds the replay runs earlier attempts of this audit left for this original. */
  async load(): Promise<void> {
    const runs = await this.recorder.findReplayRuns(await this.experiment(), {
      auditId: this.opts.auditId,
      originalRunId: this.opts.originalRunId,
    });
    this.existing.clear();
    for (const run of runs) {
      if (run.index === undefined) continue;
      this.existing.set(run.index, [...(this.existing.get(run.index) ?? []), run]);
    }
  }

  /** Journaled replays whose run an interrupted attempt left RUNNING: give them their real end state. */
  async settle(
    finished: ReadonlyMap<number, { status: "finished" | "failed"; replayRunId?: string | undefined }>,
  ): Promise<void> {
    for (const [index, record] of finished) {
      for (const run of this.existing.get(index) ?? []) {
        if (run.status !== "RUNNING") continue;
        if (run.runId === record.replayRunId)
          await this.finish(run.runId, record.status === "finished" ? "FINISHED" : "FAILED");
        else await this.retire(run);
      }
    }
  }

  /** The run replay `index` is imported into: one an earlier attempt left empty, else a new one. */
  async runFor(index: number, tags: ReplayRunTags, startTime: number): Promise<string> {
    let reuse: string | undefined;
    for (const run of this.existing.get(index) ?? []) {
      if (run.empty && reuse === undefined) reuse = run.runId;
      else await this.retire(run);
    }
    this.existing.delete(index);
    if (reuse !== undefined) return reuse;
    return this.recorder.createRun(await this.experiment(), {
      // People count replays from 1; the index tag stays 0-based so runs of older audits are still found.
      runName: `replay-${replayNumber(index)}-of-${this.opts.originalRunId.slice(0, 8)}`,
      startTime,
      tags: {
        [Tags.replayOf]: this.opts.originalRunId,
        [Tags.auditId]: this.opts.auditId,
        [Tags.replayIndex]: String(index),
        [Tags.replayNumber]: String(replayNumber(index)),
        [Tags.reproCommand]: tags.command,
        [Tags.executor]: tags.executor,
        ...(tags.imageId ? { [Tags.imageId]: tags.imageId } : {}),
      },
    });
  }

  async finish(runId: string, status: RunStatus, endTime = Date.now()): Promise<void> {
    await this.recorder.setStatus(runId, status, endTime);
  }

  /** A half-imported earlier attempt: mark it KILLED and delete it, so searches see one run per index. */
  private async retire(run: FoundReplayRun): Promise<void> {
    if (run.status === "RUNNING") await this.recorder.setStatus(run.runId, "KILLED", Date.now());
    await this.recorder.deleteRun(run.runId);
  }

  private async experiment(): Promise<string> {
    this.experimentId ??= await this.recorder.experimentId(this.opts.experimentName ?? DEFAULT_AUDIT_EXPERIMENT);
    return this.experimentId;
  }
}

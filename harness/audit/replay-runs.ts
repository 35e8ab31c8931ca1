import { Tags } from "../tracking/tags.js";
import type { MlflowClient } from "../tracking/client.js";
import type { Run, RunStatus } from "../tracking/schemas.js";

// The replay runs on the real tracking server: one per (audit, original, index),
// created by the harness after the sealed replay ran, and linked to the original by
// tags. A harness killed between creating a run and journaling the replay leaves a
// run behind; the next attempt finds it by its tags and takes it over (or, when it
// already holds a half-imported attempt, deletes it first), so an index never ends
// up with two live replay runs.

export const DEFAULT_AUDIT_EXPERIMENT = "repro-audit";

export interface ReplayRunTags {
  command: string;
  executor: string;
  imageId?: string;
}

export class ReplayRunBook {
  private experimentId: string | undefined;
  private existing = new Map<number, Run[]>();

  constructor(
    private readonly client: MlflowClient,
    private readonly opts: { auditId: string; originalRunId: string; experimentName?: string },
  ) {}

  /** Finds the replay runs earlier attempts of this audit left for this original. */
  async load(): Promise<void> {
    const experimentId = await this.experiment();
    // Both values are checked identifiers (audit id schema, safe run id): no quoting issues.
    const filter = `tags."${Tags.auditId}" = '${this.opts.auditId}' and tags."${Tags.replayOf}" = '${this.opts.originalRunId}'`;
    const runs = await this.client.searchRuns({ experimentIds: [experimentId], filter });
    this.existing.clear();
    for (const run of runs) {
      const index = Number(run.data.tags.find((t) => t.key === Tags.replayIndex)?.value);
      if (!Number.isSafeInteger(index)) continue;
      this.existing.set(index, [...(this.existing.get(index) ?? []), run]);
    }
  }

  /** Journaled replays whose run an interrupted attempt left RUNNING: give them their real end state. */
  async settle(finished: ReadonlyMap<number, { status: "finished" | "failed"; replayRunId?: string | undefined }>): Promise<void> {
    for (const [index, record] of finished) {
      for (const run of this.existing.get(index) ?? []) {
        if (run.info.status !== "RUNNING") continue;
        if (run.info.run_id === record.replayRunId) await this.finish(run.info.run_id, record.status === "finished" ? "FINISHED" : "FAILED");
        else await this.retire(run);
      }
    }
  }

  /** The run replay `index` is imported into: one an earlier attempt left empty, else a new one. */
  async runFor(index: number, tags: ReplayRunTags, startTime: number): Promise<string> {
    let reuse: string | undefined;
    for (const run of this.existing.get(index) ?? []) {
      const empty = run.data.metrics.length === 0 && run.data.params.length === 0;
      if (empty && reuse === undefined) reuse = run.info.run_id;
      else await this.retire(run);
    }
    this.existing.delete(index);
    if (reuse !== undefined) return reuse;
    const run = await this.client.createRun({
      experimentId: await this.experiment(),
      runName: `replay-${index}-of-${this.opts.originalRunId.slice(0, 8)}`,
      startTime,
      tags: {
        [Tags.replayOf]: this.opts.originalRunId,
        [Tags.auditId]: this.opts.auditId,
        [Tags.replayIndex]: String(index),
        [Tags.reproCommand]: tags.command,
        [Tags.executor]: tags.executor,
        ...(tags.imageId ? { [Tags.imageId]: tags.imageId } : {}),
      },
    });
    return run.info.run_id;
  }

  async finish(runId: string, status: RunStatus, endTime = Date.now()): Promise<void> {
    await this.client.updateRun(runId, { status, endTime });
  }

  /** A half-imported earlier attempt: mark it KILLED and delete it, so searches see one run per index. */
  private async retire(run: Run): Promise<void> {
    if (run.info.status === "RUNNING") await this.client.updateRun(run.info.run_id, { status: "KILLED", endTime: Date.now() });
    await this.client.deleteRun(run.info.run_id);
  }

  private async experiment(): Promise<string> {
    this.experimentId ??= (await this.client.getOrCreateExperiment(this.opts.experimentName ?? DEFAULT_AUDIT_EXPERIMENT)).experiment_id;
    return this.experimentId;
  }
}

import cliProgress from "cli-progress";
import type { ReplayEvent } from "../audit/replay-runner.js";
import { replayLabel, replayNumber } from "../drift/format.js";
import { terminalLine } from "./terminal-text.js";

// Live progress for replays: a bar on a terminal, plain timestamped lines
// otherwise (CI logs, pipes), so output stays readable either way.

export interface Progress {
  stage(message: string): void;
  start(total: number, alreadyDone: number): void;
  /** more replays to show (another run's, in an audit whose runs share one pool): added to the totals */
  grow(total: number, alreadyDone: number): void;
  /** `run`: whose replay, where replays of several runs are shown together */
  replayStarted(index: number, run?: string): void;
  replayDone(index: number, ok: boolean, detail: string, run?: string): void;
  stop(): void;
}

/** "replay 2", or with the run "3f2a9c1e replay 2". */
function who(index: number, run: string | undefined): string {
  return run !== undefined ? `${run} ${replayLabel(index)}` : replayLabel(index);
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return terminalSafe(stream.isTTY ? new BarProgress(stream) : new LineProgress(stream));
}

/** Stages and details quote run IDs, build output and the workload's stderr: shown with controls made visible. */
function terminalSafe(inner: Progress): Progress {
  return {
    stage: (message) => inner.stage(terminalLine(message)),
    start: (total, alreadyDone) => inner.start(total, alreadyDone),
    grow: (total, alreadyDone) => inner.grow(total, alreadyDone),
    replayStarted: (index, run) => inner.replayStarted(index, run === undefined ? undefined : terminalLine(run)),
    replayDone: (index, ok, detail, run) =>
      inner.replayDone(index, ok, terminalLine(detail), run === undefined ? undefined : terminalLine(run)),
    stop: () => inner.stop(),
  };
}

class LineProgress implements Progress {
  private done = 0;
  private total = 0;
  constructor(private readonly out: NodeJS.WritableStream) {}
  private line(s: string) {
    this.out.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
  }
  stage(message: string) {
    this.line(message);
  }
  start(total: number, alreadyDone: number) {
    this.total = total;
    this.done = alreadyDone;
    if (alreadyDone > 0) this.line(`resuming: ${alreadyDone}/${total} replay(s) already journaled`);
  }
  grow(total: number, alreadyDone: number) {
    this.total += total;
    this.done += alreadyDone;
    if (alreadyDone > 0) this.line(`resuming: ${alreadyDone}/${total} replay(s) of this run already journaled`);
  }
  replayStarted(index: number, run?: string) {
    this.line(`${who(index, run)} started`);
  }
  replayDone(index: number, ok: boolean, detail: string, run?: string) {
    this.done++;
    this.line(`${who(index, run)} ${ok ? "finished" : "FAILED"} (${this.done}/${this.total}) ${detail}`);
  }
  stop() {}
}

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | undefined;
  private running = new Set<string>();
  private failed = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}
  stage(message: string) {
    if (this.bar) this.bar.update({ status: message });
    else this.out.write(`${message}\n`);
  }
  start(total: number, alreadyDone: number) {
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.out,
        format: "replays [{bar}] {value}/{total} | running: {running} | failed: {failed} | {status}",
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, alreadyDone, {
      running: "-",
      failed: 0,
      status: alreadyDone > 0 ? `resumed (${alreadyDone} done)` : "",
    });
  }
  private running_() {
    return this.running.size > 0 ? [...this.running].join(",") : "-";
  }
  grow(total: number, alreadyDone: number) {
    if (this.bar === undefined) return this.start(total, alreadyDone);
    this.bar.setTotal(this.bar.getTotal() + total);
    if (alreadyDone > 0) this.bar.increment(alreadyDone);
  }
  replayStarted(index: number, run?: string) {
    this.running.add(run !== undefined ? `${run}#${replayNumber(index)}` : String(replayNumber(index)));
    this.bar?.update({ running: this.running_() });
  }
  replayDone(index: number, ok: boolean, detail: string, run?: string) {
    this.running.delete(run !== undefined ? `${run}#${replayNumber(index)}` : String(replayNumber(index)));
    if (!ok) this.failed++;
    this.bar?.increment(1, {
      running: this.running_(),
      failed: this.failed,
      status: `${run !== undefined ? `${run} ` : ""}#${replayNumber(index)} ${ok ? "ok" : "failed"} ${detail}`,
    });
  }
  stop() {
    this.bar?.stop();
  }
}

/**
 * Replay events as progress: bar/lines for starts and finishes, a stage line for stops.
 * `run`: the events are one of several runs' shown together (an audit's shared pool):
 * each run's `begin` adds to the totals, and each line names the run.
 */
export function showReplayEvent(progress: Progress, e: ReplayEvent, run?: string): void {
  if (e.type === "begin") {
    if (run === undefined) progress.start(e.total, e.done);
    else progress.grow(e.total, e.done);
  } else if (e.type === "start") progress.replayStarted(e.index, run);
  else if (e.type === "done") {
    const r = e.record;
    progress.replayDone(
      r.index,
      r.status === "finished",
      r.failure ? r.failure.message : `${(r.durationMs / 1000).toFixed(1)}s`,
      run,
    );
  } else if (e.type === "aborted") progress.stage(`${who(e.index, run)} stopped`);
}

import cliProgress from "cli-progress";
import type { ReplayEvent } from "../audit/replay-runner.js";
import { replayLabel, replayNumber } from "../drift/format.js";
import { terminalLine } from "./terminal-text.js";

// Live progress for replays: a bar on a terminal, plain timestamped lines
// otherwise (CI logs, pipes), so output stays readable either way.

export interface Progress {
  stage(message: string): void;
  start(total: number, alreadyDone: number): void;
  replayStarted(index: number): void;
  replayDone(index: number, ok: boolean, detail: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  return terminalSafe(stream.isTTY ? new BarProgress(stream) : new LineProgress(stream));
}

/** Stages and details quote run IDs, build output and the workload's stderr: shown with controls made visible. */
function terminalSafe(inner: Progress): Progress {
  return {
    stage: (message) => inner.stage(terminalLine(message)),
    start: (total, alreadyDone) => inner.start(total, alreadyDone),
    replayStarted: (index) => inner.replayStarted(index),
    replayDone: (index, ok, detail) => inner.replayDone(index, ok, terminalLine(detail)),
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
  replayStarted(index: number) {
    this.line(`${replayLabel(index)} started`);
  }
  replayDone(index: number, ok: boolean, detail: string) {
    this.done++;
    this.line(`${replayLabel(index)} ${ok ? "finished" : "FAILED"} (${this.done}/${this.total}) ${detail}`);
  }
  stop() {}
}

class BarProgress implements Progress {
  private bar: cliProgress.SingleBar | undefined;
  private running = new Set<number>();
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
  replayStarted(index: number) {
    this.running.add(index);
    this.bar?.update({ running: this.running_() });
  }
  replayDone(index: number, ok: boolean, detail: string) {
    this.running.delete(index);
    if (!ok) this.failed++;
    this.bar?.increment(1, {
      running: this.running_(),
      failed: this.failed,
      status: `#${replayNumber(index)} ${ok ? "ok" : "failed"} ${detail}`,
    });
  }
  stop() {
    this.bar?.stop();
  }
}

/** Replay events as progress: bar/lines for starts and finishes, a stage line for stops. */
export function showReplayEvent(progress: Progress, e: ReplayEvent): void {
  if (e.type === "begin") progress.start(e.total, e.done);
  else if (e.type === "start") progress.replayStarted(e.index);
  else if (e.type === "done") {
    const r = e.record;
    progress.replayDone(
      r.index,
      r.status === "finished",
      r.failure ? r.failure.message : `${(r.durationMs / 1000).toFixed(1)}s`,
    );
  } else if (e.type === "aborted") progress.stage(`${replayLabel(e.index)} stopped`);
}

// Ctrl-C during a job that runs containers: the first one asks the job to stop
// (through an AbortSignal, so it can journal what finished and remove what runs);
// every later one is caught too, since letting node die then would leave containers
// running. Shared by the commands that replay.

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stops listening; call when the job has ended. */
  dispose(): void;
}

/** `tell(again)` says what happens now: `again` is true from the second Ctrl-C on. */
export function catchInterrupts(tell: (again: boolean) => void): Interrupt {
  const abort = new AbortController();
  const onSigint = () => {
    tell(abort.signal.aborted);
    abort.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: abort.signal, dispose: () => void process.removeListener("SIGINT", onSigint) };
}

/** One line of image-building progress, for the CLI's live display. */
export interface BuildProgress {
  phase: "base" | "wheels" | "build" | "import";
  message: string;
}

export type OnBuildProgress = (event: BuildProgress) => void;

interface EngineEvent {
  stream?: string;
  status?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * The engine reports build and import failures inside the JSON event stream with HTTP 200,
 * so a stream that "ends fine" may still carry an error: surface it as a rejection.
 * Resolves with the aux image ID when the engine sent one.
 */
export function followEngineStream(
  stream: NodeJS.ReadableStream,
  phase: BuildProgress["phase"],
  onProgress?: OnBuildProgress,
): Promise<{ auxId?: string; log: string[] }> {
  return new Promise((resolve, reject) => {
    const log: string[] = [];
    let auxId: string | undefined;
    let failure: string | undefined;
    let buf = "";
    const handle = (line: string): void => {
      if (!line.trim()) return;
      let ev: EngineEvent;
      try {
        ev = JSON.parse(line) as EngineEvent;
      } catch {
        log.push(line);
        return;
      }
      if (ev.error) failure = ev.errorDetail?.message ?? ev.error;
      if (ev.aux?.ID) auxId = ev.aux.ID;
      const text = (ev.stream ?? ev.status ?? ev.error ?? "").replace(/\s+$/, "");
      if (text) {
        for (const l of text.split("\n")) log.push(l);
        onProgress?.({ phase, message: text });
      }
    };
    stream.on("data", (chunk: Buffer | string) => {
      buf += chunk.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        handle(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    stream.on("error", reject);
    stream.on("end", () => {
      handle(buf);
      if (failure !== undefined) {
        const tail = log.slice(-30).join("\n");
        reject(new Error(`Engine reported a ${phase} failure: ${failure}\n--- last output ---\n${tail}`));
      } else {
        resolve(auxId === undefined ? { log } : { auxId, log });
      }
    });
  });
}

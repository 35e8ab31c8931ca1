import { once } from "node:events";
import { terminalJson } from "./terminal-text.js";

// A large JSON document written piece by piece: the same text as
// `JSON.stringify(doc, null, 2)`, but one element of its big array at a time, so a
// trace of 10,000 runs never holds the 35 MB string (and its UTF-8 copy) at once.
// Each piece passes terminalJson like every JSON the CLI prints; writes wait for the
// stream to drain.

/** The pieces of `JSON.stringify(doc, null, 2)`, the array under `key` split per element. */
export function* jsonPieces(doc: Record<string, unknown>, key: string): Generator<string> {
  const fields = Object.entries(doc).filter(([, v]) => JSON.stringify(v) !== undefined);
  if (fields.length === 0) {
    yield "{}";
    return;
  }
  yield "{";
  for (const [i, [k, v]] of fields.entries()) {
    const head = `${i === 0 ? "" : ","}\n  ${JSON.stringify(k)}: `;
    if (k === key && Array.isArray(v) && v.length > 0) {
      yield `${head}[`;
      for (const [j, el] of v.entries()) {
        // JSON.stringify writes null for what it cannot write inside an array.
        const text = JSON.stringify(el, null, 2) ?? "null";
        yield `${j === 0 ? "" : ","}\n    ${text.replace(/\n/g, "\n    ")}`;
      }
      yield "\n  ]";
    } else {
      yield `${head}${(JSON.stringify(v, null, 2) as string).replace(/\n/g, "\n  ")}`;
    }
  }
  yield "\n}";
}

/** Writes the document and a final newline (as console.log would), waiting on backpressure. */
export async function writeJsonDocument(
  out: NodeJS.WritableStream,
  doc: Record<string, unknown>,
  key: string,
): Promise<void> {
  let batch = "";
  const flush = async () => {
    if (batch === "") return;
    const ok = out.write(terminalJson(batch));
    batch = "";
    if (!ok) await once(out, "drain");
  };
  for (const piece of jsonPieces(doc, key)) {
    batch += piece;
    // Pieces are one run each (a few KB); writing ~64 KB at a time keeps the calls few.
    if (batch.length >= 65_536) await flush();
  }
  batch += "\n";
  await flush();
}

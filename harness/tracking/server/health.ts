/** True when an MLflow server answers its health endpoint at `url`. */
export async function isHealthy(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(new URL("/health", url), { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function waitHealthy(url: string, opts: { timeoutMs: number; isAlive: () => boolean }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let delay = 100;
  while (Date.now() < deadline) {
    if (!opts.isAlive()) throw new Error("the MLflow server process exited before it became ready");
    if (await isHealthy(url)) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
  throw new Error(`the MLflow server at ${url} did not answer /health within ${opts.timeoutMs / 1000} s`);
}

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Cross-process mutual exclusion for image builds: two audits (or two test files) that need the
 * same image must not both run debootstrap or both build. mkdir is atomic; a lock whose owner
 * died is taken over so a killed build never wedges later ones.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; onWait?: (ownerPid: number) => void } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  const ownerFile = join(lockPath, "owner");
  let told = false;
  for (;;) {
    try {
      await mkdir(lockPath, { recursive: false });
      await writeFile(ownerFile, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number.parseInt(await readFile(ownerFile, "utf8").catch(() => ""), 10);
      if (Number.isFinite(owner) && owner > 0 && !alive(owner)) {
        await rm(lockPath, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for lock ${lockPath} (held by pid ${Number.isFinite(owner) ? owner : "unknown"}). ` +
            `If no other repro-audit process is running, remove that directory.`,
        );
      }
      if (!told && Number.isFinite(owner)) {
        opts.onWait?.(owner);
        told = true;
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { recursive: true, force: true });
  }
}

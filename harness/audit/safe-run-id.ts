/** What MLflow run IDs look like (32 hex chars), loosely: letters, digits, '-' and '_'. */
const SAFE_RUN_ID = /^[A-Za-z0-9_-]{1,256}$/;

/** Whether a run ID from the server may name a folder under results/ (never "..", "/", or empty). */
export function isSafeRunId(id: string): boolean {
  return SAFE_RUN_ID.test(id);
}

/** Whether a requested python (as a recipe declared it) is satisfied by the one an image has. */

function tuple(v: string): number[] {
  return v
    .split(".")
    .map((p) => Number.parseInt(p, 10))
    .filter((n) => Number.isFinite(n));
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * "3.11" is satisfied by 3.11.2 (prefix), "3.11.4" is not; specifier lists (">=3.9,<3.12")
 * are evaluated clause by clause. An unparseable request is treated as not satisfied, so it
 * is reported rather than silently accepted.
 */
export function pythonSatisfies(requested: string, actual: string): boolean {
  const req = requested.trim().replace(/^python\s*/i, "");
  const act = tuple(actual);
  if (/^\d+(\.\d+)*(\.\*)?$/.test(req)) {
    const want = tuple(req.replace(/\.\*$/, ""));
    return want.every((n, i) => act[i] === n);
  }
  const clauses = req
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  if (clauses.length === 0) return false;
  return clauses.every((c) => {
    const m = /^(===|==|!=|>=|<=|~=|>|<)\s*(\d+(?:\.\d+)*)(\.\*)?$/.exec(c);
    if (!m) return false;
    const [, op, ver = "", star] = m;
    const want = tuple(ver);
    const prefixEq = want.every((n, i) => act[i] === n);
    const cmp = compare(act, want);
    switch (op) {
      case "==":
      case "===":
        return star ? prefixEq : cmp === 0 || prefixEq;
      case "!=":
        return star ? !prefixEq : !(cmp === 0 || prefixEq);
      case ">=":
        return cmp >= 0;
      case "<=":
        return cmp <= 0 || prefixEq;
      case ">":
        return cmp > 0 && !prefixEq;
      case "<":
        return cmp < 0;
      case "~=": {
        const head = want.slice(0, Math.max(1, want.length - 1));
        return cmp >= 0 && head.every((n, i) => act[i] === n);
      }
      default:
        return false;
    }
  });
}

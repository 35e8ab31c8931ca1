// MLflow reads MLproject files with PyYAML and turns defaults into command text
// with Python's str(). The same YAML value must give the same text here, or a
// replay would run a different command than `mlflow run` did: YAML 1.1 `1.0` is
// the float 1.0, which Python writes "1.0" and JavaScript writes "1".

/** Python's repr/str of a float (shortest round-trip digits, Python's notation rules). */
export function pythonFloatStr(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Number.POSITIVE_INFINITY) return "inf";
  if (n === Number.NEGATIVE_INFINITY) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  // toExponential() without an argument gives the shortest digits that round-trip.
  const [mantissa, expText] = n.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const frac = digits.slice(1);
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${digits[0]}${frac ? `.${frac}` : ""}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart || "0"}`;
}

/**
 * str(value) for what PyYAML can produce from a scalar. Floats are told apart from
 * ints by the caller (yaml's 1.1 schema gives both as JS numbers).
 */
export function pythonStr(value: unknown, isFloat: boolean): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return isFloat ? pythonFloatStr(value) : String(value);
  if (value instanceof Date) {
    // PyYAML gives datetime.date for a bare date, datetime.datetime otherwise.
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z")
      ? iso.slice(0, 10)
      : iso
          .replace("T", " ")
          .replace(/\.000Z$/, "")
          .replace("Z", "");
  }
  return String(value);
}

import { REDACTED, isSecretName, stripUrlCredentials } from "../fingerprint/redact.js";
import type { ReplayPlan } from "./plan.js";
import { shlexQuote } from "./shlex.js";

// The plan as it may be shown or stored (plan.json, the report, the journal, the
// replay run's repro.command tag). The replay itself runs the real plan: a run's
// secret-named params (password, api_key, ...) appended with --extra-params append,
// or declared by the entry point, must reach the workload and nothing else. Pure.

/** Below this length a value is only replaced where it stands as a word: "on" must not eat "python". */
const MIN_ANYWHERE = 4;

export function redactPlan(plan: ReplayPlan): ReplayPlan {
  const secrets = new Set<string>();
  const redactParams = (params: Readonly<Record<string, string>>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(params).map(([k, v]) => {
        if (!isSecretName(k)) return [k, stripUrlCredentials(v)];
        if (v !== "") secrets.add(v);
        return [k, REDACTED];
      }),
    );
  const params = redactParams(plan.params);
  const appended = plan.appendedParams !== undefined ? redactParams(plan.appendedParams) : undefined;
  const dockerEnvironment = plan.environment.dockerEnvironment.map((entry) =>
    typeof entry === "string"
      ? entry
      : ([entry[0], isSecretName(entry[0]) ? REDACTED : stripUrlCredentials(entry[1])] as [string, string]),
  );
  return {
    ...plan,
    command: stripUrlCredentials(redactValuesInCommand(plan.command, [...secrets])),
    params,
    ...(appended !== undefined ? { appendedParams: appended } : {}),
    environment: { ...plan.environment, dockerEnvironment },
  };
}

/**
 * The values redactPlan hides: for redactText over what the workload printed (an
 * argparse error quotes the command line it was given, secret included).
 */
export function planSecretValues(plan: ReplayPlan): string[] {
  const all = { ...plan.params, ...(plan.appendedParams ?? {}) };
  return Object.entries(all)
    .filter(([k, v]) => isSecretName(k) && v !== "")
    .map(([, v]) => v);
}

/** Every occurrence of each value, as binding quoted it, replaced by the quoted marker; longest first. */
function redactValuesInCommand(command: string, values: readonly string[]): string {
  let out = command;
  const marker = shlexQuote(REDACTED);
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    for (const form of new Set([shlexQuote(value), value])) {
      const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const pattern =
        value.length >= MIN_ANYWHERE
          ? new RegExp(escaped, "g")
          : new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, "g");
      out = out.replace(pattern, marker);
    }
  }
  return out;
}

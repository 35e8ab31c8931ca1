// The experiment replay runs go to unless --audit-experiment names another: its own
// leaf, so the CLI's --help can state it without loading the replay machinery.

export const DEFAULT_AUDIT_EXPERIMENT = "repro-audit";

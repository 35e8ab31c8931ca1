// PURE: what a notebook replay's image holds beyond the notebook's own requirements:
// the kernel (ipykernel) and the headless runner (nbclient, driving notebook_runner.py
// beside this file). Pinned, so the image is a function of this list; installed from
// wheels with no network like every requirement, in a second pip step after the
// notebook's lock (a hash-pinned lock cannot take unhashed lines). The list is part of
// the image's cache key.

/** Where the runner lies in the image; the plan's command names it. */
export const NOTEBOOK_RUNNER_PATH = "/opt/repro/notebook_runner.py";

/** The runner's source, beside this module (copied into the image). */
export const NOTEBOOK_RUNNER_FILE = "notebook_runner.py";

/** The kernel and the runner, pinned (their own dependencies resolved by pip from the wheels). */
export const NOTEBOOK_TOOLING: readonly string[] = ["nbclient==0.11.0", "ipykernel==7.4.0"];

/** What the runner writes into the replay's output folder. */
export const NOTEBOOK_OUTPUT_FILE = "notebook.ipynb";
export const NOTEBOOK_SUMMARY_FILE = "notebook-run.json";

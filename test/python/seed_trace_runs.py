"""Create the runs the traceability audit is tested against, with the REAL MLflow client.

Usage: MLFLOW_TRACKING_URI=http://127.0.0.1:PORT python seed_trace_runs.py [--experiment NAME]
       [--model-name NAME] [--alias ALIAS]

Creates, in one experiment:
  1. "fully-traced": a training script executed from inside a temporary git repo (so the
     fluent client records mlflow.source.git.* itself), with params incl. a seed, metrics,
     a pandas dataset input (digest), a logged sklearn model (requirements under the logged
     model), run-level requirements, dirty-state tag + diff artifact, command, image and
     hardware tags.
  2. "raw": created with MlflowClient().create_run: no source or git tags, one metric only.
  3. "registered": a training script run outside any git repo whose model is registered
     and given an alias.
Prints one JSON object with the created IDs on stdout (and nothing else there).

The training runs are separate processes on purpose: MLflow derives the source name and
git tags from the main script's path, so the script must live where we want it to.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap

TRAIN_PY = textwrap.dedent(
    '''
    import json, os, platform, subprocess, sys
    import mlflow, mlflow.data, mlflow.sklearn
    import numpy as np, pandas as pd
    from sklearn.linear_model import ElasticNet

    mode, experiment = sys.argv[1], sys.argv[2]
    registered_name = sys.argv[3] if len(sys.argv) > 3 else None
    seed = 42
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(40, 3)), columns=["a", "b", "c"])
    df["y"] = df["a"] * 2.0 - df["b"] + rng.normal(scale=0.1, size=40)

    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout

    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name=mode) as run:
        alpha = 0.5
        model = ElasticNet(alpha=alpha, l1_ratio=0.5, random_state=seed).fit(df[["a", "b", "c"]], df["y"])
        rmse = float(np.sqrt(np.mean((model.predict(df[["a", "b", "c"]]) - df["y"]) ** 2)))
        if mode == "fully-traced":
            mlflow.log_params({"alpha": alpha, "l1_ratio": 0.5, "seed": seed})
            mlflow.log_metric("rmse", rmse)
            mlflow.log_metric("rmse_step", rmse, step=1)
            dataset = mlflow.data.from_pandas(df, name="wine-sample", targets="y")
            mlflow.log_input(dataset, context="training")
            diff = git("diff", "HEAD")
            mlflow.set_tags({
                "repro.git.dirty": "true" if diff.strip() else "false",
                "repro.command": "python train.py fully-traced " + experiment,
                "repro.image": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                "repro.host.cpu": platform.processor() or platform.machine(),
                "repro.host.os": platform.platform(),
                "repro.host.python": platform.python_version(),
            })
            if diff.strip():
                mlflow.log_text(diff, "repro/git.diff")
            mlflow.log_artifact("requirements.txt")
            mlflow.sklearn.log_model(model, name="model")
        else:
            mlflow.log_params({"alpha": alpha, "random_state": seed})
            mlflow.log_metric("rmse", rmse)
            mlflow.sklearn.log_model(model, name="model", registered_model_name=registered_name)
        print(json.dumps({"run_id": run.info.run_id}))
    '''
)


def run_git(repo: str, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=seed", "-c", "user.email=seed@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def run_training(cwd: str, *args: str) -> str:
    env = dict(os.environ)
    # The child must not inherit an active run or a parent's experiment choice.
    env.pop("MLFLOW_RUN_ID", None)
    env.pop("MLFLOW_EXPERIMENT_NAME", None)
    env.pop("MLFLOW_EXPERIMENT_ID", None)
    proc = subprocess.run(
        [sys.executable, "train.py", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"training script failed in {cwd} (exit {proc.returncode})")
    last = [line for line in proc.stdout.splitlines() if line.startswith("{")][-1]
    return json.loads(last)["run_id"]


def main() -> None:
    # The client prints "View run ..." lines on stdout; stdout is reserved for the JSON.
    with contextlib.redirect_stdout(sys.stderr):
        result = seed()
    print(json.dumps(result))


def seed() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default="trace-demo")
    parser.add_argument("--model-name", default="TraceDemoModel")
    parser.add_argument("--alias", default="champion")
    args = parser.parse_args()
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        raise SystemExit("MLFLOW_TRACKING_URI must point at the tracking server to seed")

    import mlflow
    from mlflow import MlflowClient

    client = MlflowClient()
    experiment = client.get_experiment_by_name(args.experiment)
    experiment_id = (
        experiment.experiment_id if experiment else client.create_experiment(args.experiment)
    )

    with tempfile.TemporaryDirectory(prefix="trace-seed-") as tmp:
        # 1. fully traced: a git repo with a remote URL (config only: nothing is fetched)
        #    and an uncommitted change, so dirty state and diff are real.
        repo = os.path.join(tmp, "repo")
        os.makedirs(repo)
        with open(os.path.join(repo, "train.py"), "w") as fh:
            fh.write(TRAIN_PY)
        with open(os.path.join(repo, "requirements.txt"), "w") as fh:
            fh.write(f"mlflow=={mlflow.__version__}\nscikit-learn\npandas\nnumpy\n")
        with open(os.path.join(repo, "NOTES.md"), "w") as fh:
            fh.write("first\n")
        run_git(repo, "init", "-q")
        run_git(repo, "remote", "add", "origin", "https://github.com/example/wine-repro.git")
        run_git(repo, "add", ".")
        run_git(repo, "commit", "-q", "-m", "seed")
        with open(os.path.join(repo, "NOTES.md"), "a") as fh:
            fh.write("uncommitted change\n")
        full_id = run_training(repo, "fully-traced", args.experiment)

        # 2. raw: no source, no git, no params.
        raw = client.create_run(experiment_id, run_name="raw")
        client.log_metric(raw.info.run_id, "rmse", 1.25)
        client.set_terminated(raw.info.run_id)

        # 3. registered model with an alias, trained outside any git repository.
        plain = os.path.join(tmp, "plain")
        os.makedirs(plain)
        with open(os.path.join(plain, "train.py"), "w") as fh:
            fh.write(TRAIN_PY)
        reg_id = run_training(plain, "registered", args.experiment, args.model_name)

    versions = client.search_model_versions(f"name='{args.model_name}' and run_id='{reg_id}'")
    if not versions:
        raise SystemExit(f"no model version of {args.model_name} found for run {reg_id}")
    version = versions[0].version
    client.set_registered_model_alias(args.model_name, args.alias, version)

    return {
        "experimentId": experiment_id,
        "experimentName": args.experiment,
        "runs": {"full": full_id, "raw": raw.info.run_id, "registered": reg_id},
        "model": {"name": args.model_name, "version": str(version), "alias": args.alias},
    }


if __name__ == "__main__":
    main()

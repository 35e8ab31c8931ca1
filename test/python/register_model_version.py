"""Registers a model version for a run with the real MLflow client, as a user would.

  .venv/bin/python test/python/register_model_version.py --tracking-uri URI --run-id ID --name NAME [--alias A]

Uses the low-level client (create_registered_model / create_model_version) so it
works for runs that logged plain files rather than an MLflow model flavour.
Prints {"name": ..., "version": ...} as the last stdout line.
"""

import argparse
import json
import sys

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--tracking-uri", required=True)
    p.add_argument("--run-id", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--alias")
    args = p.parse_args()

    client = MlflowClient(tracking_uri=args.tracking_uri)
    try:
        client.create_registered_model(args.name)
    except MlflowException as err:
        if err.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    mv = client.create_model_version(args.name, source=f"runs:/{args.run_id}/model", run_id=args.run_id)
    if args.alias:
        client.set_registered_model_alias(args.name, args.alias, mv.version)
    print(json.dumps({"name": args.name, "version": str(mv.version)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""repro-audit's capture plugin for MLflow (entry point ``mlflow.run_context_provider``).

Every run an unmodified script starts with ``mlflow.start_run`` is tagged with what a
re-run needs; see provider.py and the package's README.md.
"""

__version__ = "0.1.0"

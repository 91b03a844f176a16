"""Reads an exported session back with MLflow's own Python client and prints it as JSON.

usage: mlflow_read.py TRACKING_URI RUN_ID
"""
import json
import sys
import tempfile

from mlflow.tracking import MlflowClient

uri, run_id = sys.argv[1], sys.argv[2]
client = MlflowClient(tracking_uri=uri)
run = client.get_run(run_id)
experiment = client.get_experiment(run.info.experiment_id)
children = client.search_runs([run.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{run_id}'")
artifacts = sorted(a.path for a in client.list_artifacts(run_id))
with tempfile.TemporaryDirectory() as folder:
    summary = json.load(open(client.download_artifacts(run_id, "summary.json", folder)))
    lines = open(client.download_artifacts(run_id, "results.jsonl", folder)).read().splitlines()
    report = open(client.download_artifacts(run_id, "report.html", folder)).read()


def describe(r):
    history = client.get_metric_history(r.info.run_id, "request.e2e_ms")
    live = client.get_metric_history(r.info.run_id, "live.completed")
    return {
        "liveCompleted": [[h.step, h.value, h.timestamp] for h in live],
        "liveE2eSteps": len(client.get_metric_history(r.info.run_id, "live.e2e_ms")),
        "name": r.info.run_name, "status": r.info.status, "params": r.data.params, "metrics": r.data.metrics,
        "tags": {k: v for k, v in r.data.tags.items() if not k.startswith("mlflow.") or k == "mlflow.parentRunId"},
        "e2eSteps": [h.step for h in history], "e2eValues": [h.value for h in history],
    }


print(json.dumps({
    "experiment": experiment.name, "run": describe(run), "children": [describe(c) for c in children],
    "artifacts": artifacts, "summaryGroups": len(summary["groups"]), "resultLines": len(lines),
    "reportIsHTML": report.lstrip().lower().startswith("<!doctype html"),
}))

"""Writes or reads an experiment with the official `langsmith` client.

Usage:
  langsmith_experiment.py write API_URL API_KEY   the calls ltb's export makes, made by the client:
      a project, a batch of two llm runs (one failed), feedback on the first, the project closed
  langsmith_experiment.py read API_URL API_KEY PROJECT   the project, its runs and their feedback as JSON
"""
import datetime
import json
import sys
import uuid

from langsmith import Client

mode, api_url, api_key = sys.argv[1], sys.argv[2], sys.argv[3]
client = Client(api_url=api_url, api_key=api_key)

if mode == "write":
    now = datetime.datetime.now(datetime.timezone.utc)
    project = client.create_project(
        "sdk-reference", description="written by the official client", metadata={"ltb_session_id": "x"},
        reference_dataset_id=str(uuid.uuid4()))
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    common = {
        "run_type": "llm", "session_name": "sdk-reference", "start_time": now.isoformat(),
        "end_time": (now + datetime.timedelta(seconds=1)).isoformat(), "tags": ["ltb"],
        "extra": {"metadata": {"ls_provider": "fake", "ls_model_name": "m"}},
        "events": [{"name": "start", "time": now.isoformat()},
                   {"name": "new_token", "time": (now + datetime.timedelta(milliseconds=50)).isoformat()}],
        "inputs": {"prompt": "Say hello"}, "reference_example_id": str(uuid.uuid4()),
    }
    client.batch_ingest_runs(create=[
        {**common, "id": first, "trace_id": first, "dotted_order": stamp + first, "name": "fake/m",
         "outputs": {"output": "hello", "usage_metadata": {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4}}},
        {**common, "id": second, "trace_id": second, "dotted_order": stamp + second, "name": "fake/m",
         "error": "server: HTTP 500"},
    ])
    client.create_feedback(
        first, "contains", score=1.0, value=1.0, comment="found", trace_id=first, feedback_id=uuid.uuid4(),
        source_info={"evaluator": "contains"})
    client.update_project(project.id, name="sdk-reference", metadata={"ltb_export": "complete"}, end_time=now)
    print(json.dumps({"project": str(project.id)}))
else:
    project = client.read_project(project_name=sys.argv[4])
    runs = list(client.list_runs(project_name=sys.argv[4]))
    feedback = list(client.list_feedback(run_ids=[r.id for r in runs])) if runs else []
    print(json.dumps({
        "project": {"id": str(project.id), "name": project.name, "metadata": (project.extra or {}).get("metadata"),
                    "reference_dataset_id": str(project.reference_dataset_id) if project.reference_dataset_id else None,
                    "closed": project.end_time is not None},
        "runs": [{
            "id": str(r.id), "name": r.name, "run_type": r.run_type, "status": r.status, "error": r.error,
            "output": (r.outputs or {}).get("output"), "prompt": (r.inputs or {}).get("prompt"),
            "total_tokens": r.total_tokens, "prompt_tokens": r.prompt_tokens, "completion_tokens": r.completion_tokens,
            "ttft_ms": (r.first_token_time - r.start_time).total_seconds() * 1000 if r.first_token_time else None,
            "latency_ms": (r.end_time - r.start_time).total_seconds() * 1000 if r.end_time else None,
            "metadata": (r.extra or {}).get("metadata"), "trace_id": str(r.trace_id),
            "reference_example_id": str(r.reference_example_id) if r.reference_example_id else None,
        } for r in runs],
        "feedback": [{"run_id": str(f.run_id), "key": f.key, "score": f.score, "value": f.value, "comment": f.comment,
                      "source": f.feedback_source.type if f.feedback_source else None} for f in feedback],
    }, default=str))

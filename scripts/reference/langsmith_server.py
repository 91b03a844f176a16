"""A local stand-in for the LangSmith API's dataset, project, run and feedback endpoints, in the
shapes its official SDK sends and reads.

Usage: langsmith_server.py SEED.json LOG.jsonl API_KEY
SEED.json: {"datasets": [{"name", "description", "data_type", "examples": [{"inputs", "outputs", "metadata"}]}]}
Serves GET /datasets (name, limit, offset), GET /datasets/{id} and GET /examples (dataset, limit,
offset) as LangSmith pages them; projects (GET/POST /sessions, GET/PATCH /sessions/{id}; 409 for a
name taken), runs (POST /runs/batch upserting by id, POST /runs/query by project) and feedback
(POST /feedback, GET /feedback by run). A stored run gets the fields LangSmith derives: its
project's id, status, token counts from outputs.usage_metadata and first_token_time from its first
new_token event. A missing or wrong x-api-key gets 401 as LangSmith answers it.
Every request is appended to LOG.jsonl (method, path, query, whether the key was right, and the
JSON body), so a test can compare what `ltb` sent with what the official `langsmith` client sent.
Prints `ready PORT` once listening.
"""
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

seed = json.load(open(sys.argv[1]))
log_path = sys.argv[2]
api_key = sys.argv[3]
lock = threading.Lock()
namespace = uuid.UUID("5b3c1e9e-7a0e-4d7e-9d7c-6a1f0d1c2b3a")
datasets = []
for dataset in seed["datasets"]:
    dataset_id = str(uuid.uuid5(namespace, dataset["name"]))
    examples = [
        {
            "id": str(uuid.uuid5(namespace, f"{dataset['name']}/{index}")),
            "dataset_id": dataset_id,
            "inputs": example.get("inputs", {}),
            "outputs": example.get("outputs"),
            "metadata": example.get("metadata"),
            "created_at": "2025-01-01T00:00:00.000000+00:00",
            "modified_at": "2025-01-01T00:00:00.000000+00:00",
            "source_run_id": None,
        }
        for index, example in enumerate(dataset["examples"])
    ]
    datasets.append(
        {
            "id": dataset_id,
            "name": dataset["name"],
            "description": dataset.get("description"),
            "data_type": dataset.get("data_type", "kv"),
            "created_at": "2025-01-01T00:00:00.000000+00:00",
            "modified_at": "2025-01-01T00:00:00.000000+00:00",
            "example_count": len(examples),
            "session_count": 0,
            "inputs_schema_definition": None,
            "outputs_schema_definition": None,
            "tenant_id": str(uuid.uuid5(namespace, "tenant")),
            "examples": examples,
        }
    )


projects = {}
runs = {}
feedback = {}
tenant = str(uuid.uuid5(namespace, "tenant"))


def derived(run):
    """A run as LangSmith returns it: the fields it computes added to what was posted."""
    out = dict(run)
    project = next((p for p in projects.values() if p["name"] == run.get("session_name")), None)
    out["session_id"] = run.get("session_id") or (project and project["id"])
    out["status"] = "error" if run.get("error") else "success"
    usage = (run.get("outputs") or {}).get("usage_metadata") or {}
    out["prompt_tokens"] = usage.get("input_tokens")
    out["completion_tokens"] = usage.get("output_tokens")
    out["total_tokens"] = usage.get("total_tokens")
    tokens = [e["time"] for e in run.get("events") or [] if e.get("name") == "new_token"]
    out["first_token_time"] = tokens[0] if tokens else None
    out.setdefault("parent_run_id", None)
    out.setdefault("child_run_ids", None)
    out["app_path"] = f"/o/{tenant}/projects/p/{out['session_id']}/r/{run['id']}"
    return out


def public(dataset):
    return {key: value for key, value in dataset.items() if key != "examples"}


def page(items, query):
    offset = int(query.get("offset", ["0"])[0])
    limit = int(query.get("limit", ["100"])[0])
    return items[offset : offset + limit]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def record(self, method):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        authorized = self.headers.get("x-api-key") == api_key
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"unreadable": len(raw)}
        with lock, open(log_path, "a") as log:
            log.write(json.dumps({"method": method, "path": parts.path, "query": query, "authorized": authorized, "body": body}) + "\n")
        return parts.path.rstrip("/"), query, authorized, body

    def do_POST(self):
        path, query, authorized, body = self.record("POST")
        if not authorized:
            return self.answer(401, {"detail": "Invalid token"})
        with lock:
            if path == "/sessions":
                if any(p["name"] == body["name"] for p in projects.values()):
                    return self.answer(409, {"detail": "Session already exists"})
                project = {"id": body.get("id") or str(uuid.uuid4()), "name": body["name"], "description": body.get("description"),
                           "extra": body.get("extra"), "reference_dataset_id": body.get("reference_dataset_id"),
                           "start_time": "2025-01-01T00:00:00.000000+00:00", "end_time": None, "tenant_id": tenant}
                projects[project["id"]] = project
                return self.answer(200, project)
            if path == "/runs/batch":
                for run in body.get("post") or []:
                    runs[run["id"]] = run
                for run in body.get("patch") or []:
                    runs[run["id"]] = {**runs.get(run["id"], {}), **run}
                return self.answer(202, {})
            if path == "/runs/query":
                wanted = set(body.get("session") or [])
                found = [derived(r) for r in runs.values()]
                found = [r for r in found if not wanted or r["session_id"] in wanted]
                return self.answer(200, {"runs": found, "cursors": {"next": None}})
            if path == "/feedback":
                feedback[body["id"]] = body
                return self.answer(200, body)
        return self.answer(404, {"detail": "Not Found"})

    def do_PATCH(self):
        path, query, authorized, body = self.record("PATCH")
        if not authorized:
            return self.answer(401, {"detail": "Invalid token"})
        with lock:
            if path.startswith("/sessions/") and path.split("/")[2] in projects:
                project = projects[path.split("/")[2]]
                project.update({k: v for k, v in body.items() if v is not None})
                return self.answer(200, project)
        return self.answer(404, {"detail": "Not Found"})

    def do_GET(self):
        path, query, authorized, _ = self.record("GET")
        if not authorized:
            return self.answer(401, {"detail": "Invalid token"})
        if path == "/sessions":
            with lock:
                found = [p for p in projects.values() if "name" not in query or p["name"] == query["name"][0]]
            return self.answer(200, page(found, query))
        if path.startswith("/sessions/"):
            found = projects.get(path.split("/")[2])
            return self.answer(200, found) if found else self.answer(404, {"detail": "Session not found"})
        if path == "/feedback":
            with lock:
                wanted = set(query.get("run", []))
                found = [f for f in feedback.values() if not wanted or f.get("run_id") in wanted]
            return self.answer(200, page(found, query))
        if path == "/datasets":
            found = [public(d) for d in datasets if "name" not in query or d["name"] == query["name"][0]]
            return self.answer(200, page(found, query))
        if path.startswith("/datasets/"):
            found = [public(d) for d in datasets if d["id"] == path.split("/")[2]]
            return self.answer(200, found[0]) if found else self.answer(404, {"detail": "Dataset not found"})
        if path == "/examples":
            wanted = query.get("dataset", [None])[0]
            examples = [e for d in datasets if d["id"] == wanted for e in d["examples"]]
            return self.answer(200, page(examples, query))
        if path == "/info":
            # As a server without the multipart endpoint answers: the client sends feedback to /feedback.
            return self.answer(200, {"version": "0.10.0", "batch_ingest_config": {"use_multipart_endpoint": False}})
        return self.answer(404, {"detail": "Not Found"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()

"""A local stand-in for the LangSmith API's dataset endpoints, in the shapes its official SDK reads.

Usage: langsmith_server.py SEED.json LOG.jsonl API_KEY
SEED.json: {"datasets": [{"name", "description", "data_type", "examples": [{"inputs", "outputs", "metadata"}]}]}
Serves GET /datasets (name, limit, offset), GET /datasets/{id} and GET /examples (dataset, limit,
offset) as LangSmith pages them; refuses a missing or wrong x-api-key with 401 as LangSmith does.
Every request is appended to LOG.jsonl (method, path, query, whether the key was right), so a
test can compare what `ltb` asked with what the official `langsmith` client asked. Prints
`ready PORT` once listening.
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

    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        authorized = self.headers.get("x-api-key") == api_key
        with lock, open(log_path, "a") as log:
            log.write(json.dumps({"method": "GET", "path": parts.path, "query": query, "authorized": authorized}) + "\n")
        if not authorized:
            return self.answer(401, {"detail": "Invalid token"})
        path = parts.path.rstrip("/")
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
            return self.answer(200, {"version": "0.10.0", "batch_ingest_config": {}})
        return self.answer(404, {"detail": "Not Found"})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()

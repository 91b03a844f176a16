"""A local capture server for the Weights & Biases API calls a run makes, answering as W&B does.

Usage: wandb_capture.py LOG.jsonl API_KEY
Answers the GraphQL operations the official client (wandb-core) sends for a run and its tables
(Viewer, ServerFeaturesQuery, UpsertBucket, CreateRunFiles, the ArtifactType query, CreateArtifact,
CreateArtifactManifest, CreateArtifactFiles, CommitArtifact, OrganizationCoreWeaveOrganizationID),
the run's file stream (POST /files/ENTITY/PROJECT/RUN/file_stream) and uploads (PUT to the URLs
CreateRunFiles hands out). A request without HTTP basic `api:API_KEY` gets 401 as W&B answers.
Every request is appended to LOG.jsonl (method, path, authorization, JSON body or the uploaded
text), so a test can compare what `ltb` sent with what the official `wandb` client sent. Each run
is kept as W&B keeps it (history lines by offset, summary, config, uploaded files, exit code) and
served back at GET /state/ENTITY/PROJECT/RUN. Prints `ready PORT` once listening.
"""
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path, api_key = sys.argv[1], sys.argv[2]
expected = "Basic " + base64.b64encode(f"api:{api_key}".encode()).decode()
lock = threading.Lock()
runs = {}
artifacts = {}


def run_state(entity, project, name):
    return runs.setdefault(f"{entity}/{project}/{name}", {
        "history": {}, "summary": None, "config": None, "display_name": None, "tags": None, "files": {},
        "complete": False, "exitcode": None, "uploaded": []})


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

    def handle_any(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if method == "PUT":
            try:
                body = {"text": raw.decode()}
            except UnicodeDecodeError:
                body = {"bytes": len(raw)}
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = {"unreadable": len(raw)}
        authorization = self.headers.get("Authorization")
        with lock, open(log_path, "a") as log:
            log.write(json.dumps({"method": method, "path": self.path, "authorization": authorization,
                                  "content_type": self.headers.get("Content-Type"), "body": body}) + "\n")
        port = self.server.server_address[1]
        if method == "PUT" and self.path.startswith("/upload/artifact/"):
            _, _, _, artifact, file = self.path.split("/", 4)
            with lock:
                artifacts.setdefault(artifact, {"files": {}})["files"][file] = body.get("text")
            return self.answer(200, {})
        if method == "GET" and self.path == "/artifacts":
            with lock:
                return self.answer(200, artifacts)
        if method == "PUT" and self.path.startswith("/upload/"):
            _, _, entity, project, name, file = self.path.split("/", 5)
            with lock:
                run_state(entity, project, name)["files"][file] = body.get("text")
            return self.answer(200, {})
        if method == "GET" and self.path.startswith("/state/"):
            _, _, entity, project, name = self.path.split("/", 4)
            with lock:
                state = runs.get(f"{entity}/{project}/{name}")
                if state is None:
                    return self.answer(404, {"error": "no such run"})
                lines = [state["history"][k] for k in sorted(state["history"])]
                return self.answer(200, {**state, "history": lines})
        if self.path.startswith("/sdk/otel/"):
            return self.answer(200, {})
        if authorization != expected:
            return self.answer(401, {"errors": [{"message": "user is not logged in"}]})
        if self.path.startswith("/files/") and self.path.endswith("/file_stream"):
            _, _, entity, project, name, _ = self.path.split("/")
            with lock:
                state = run_state(entity, project, name)
                for file, part in (body.get("files") or {}).items():
                    for index, line in enumerate(part["content"]):
                        if file == "wandb-history.jsonl":
                            state["history"][part["offset"] + index] = json.loads(line)
                        elif file == "wandb-summary.json":
                            state["summary"] = json.loads(line)
                if body.get("complete"):
                    state["complete"] = True
                    state["exitcode"] = body.get("exitcode")
                    state["uploaded"] = body.get("uploaded")
            return self.answer(200, {"exitcode": None, "limits": {}})
        if self.path.startswith("/graphql"):
            operation = body.get("operationName")
            query = body.get("query") or ""
            v = body.get("variables") or {}
            if operation == "UpsertBucket":
                with lock:
                    state = run_state(v.get("entity"), v.get("project"), v.get("name"))
                    state["config"] = json.loads(v["config"]) if v.get("config") else state["config"]
                    state["display_name"] = v.get("displayName") or state["display_name"]
                    state["tags"] = v.get("tags") if v.get("tags") is not None else state["tags"]
                data = {"upsertBucket": {"bucket": {
                    "id": "UnVuOjE=", "name": v.get("name"), "displayName": v.get("displayName"), "description": None,
                    "config": v.get("config") or "{}", "sweepName": None, "historyLineCount": 0,
                    "project": {"id": "UHJvamVjdDox", "name": v.get("project"),
                                "entity": {"id": "RW50aXR5OjE=", "name": v.get("entity")}}}, "inserted": True}}
            elif operation == "Viewer":
                data = {"viewer": {"id": "VXNlcjox", "entity": "capture-team", "username": "capture", "email": None,
                                   "flags": None, "teams": {"edges": []}}}
            elif operation == "ServerFeaturesQuery":
                data = {"serverInfo": {"features": []}}
            elif operation == "CreateRunFiles":
                base = f"http://127.0.0.1:{port}/upload/{v['entity']}/{v['project']}/{v['run']}"
                data = {"createRunFiles": {"runID": "UnVuOjE=", "uploadHeaders": [],
                                           "files": [{"name": f, "uploadUrl": f"{base}/{f}"} for f in v["files"]]}}
            elif operation == "OrganizationCoreWeaveOrganizationID":
                data = {"entity": {"organization": None}}
            elif "query ArtifactType" in query:
                data = {"project": {"artifact": None}}
            elif operation == "CreateArtifact":
                given = v["input"]
                with lock:
                    artifact = base64.b64encode(f"Artifact:{len(artifacts) + 1}".encode()).decode()
                    artifacts.setdefault(artifact, {"files": {}}).update({
                        "type": given.get("artifactTypeName"), "collection": given.get("artifactCollectionName"),
                        "aliases": [a.get("alias") for a in given.get("aliases") or []],
                        "digest": given.get("digest"), "run": f"{given.get('entityName')}/{given.get('projectName')}/"
                                                               f"{given.get('runName')}",
                        "history_step": given.get("historyStep"), "state": "PENDING"})
                data = {"createArtifact": {"artifact": {"id": artifact, "state": "PENDING",
                                                        "artifactSequence": {"latestArtifact": None}}}}
            elif operation == "CreateArtifactManifest":
                upload = f"http://127.0.0.1:{port}/upload/artifact/{v['artifactID']}/{v['name']}"
                data = {"createArtifactManifest": {"artifactManifest": {"id": "TWFuaWZlc3Q6MQ==", "file": {
                    "id": "RmlsZTox", "uploadUrl": upload if v.get("includeUpload") else None,
                    "uploadHeaders": []}}}}
            elif operation == "CreateArtifactFiles":
                edges = []
                for file in v["input"]["artifactFiles"]:
                    path = f"artifact/{file['artifactID']}/{file['name']}"
                    edges.append({"node": {
                        "storagePath": path, "uploadUrl": f"http://127.0.0.1:{port}/upload/{path}",
                        "uploadHeaders": [], "uploadMultipartUrls": None,
                        "artifact": {"id": file["artifactID"]}}})
                data = {"createArtifactFiles": {"files": {"edges": edges}}}
            elif operation == "CommitArtifact":
                with lock:
                    committed = artifacts.setdefault(v.get("artifactID"), {"files": {}})
                    committed["state"] = "COMMITTED"
                data = {"commitArtifact": {"artifact": {"id": v.get("artifactID"),
                                                        "digest": committed.get("digest") or ""}}}
            else:
                data = {}
            return self.answer(200, {"data": data})
        return self.answer(200, {})

    def do_POST(self):
        self.handle_any("POST")

    def do_GET(self):
        self.handle_any("GET")

    def do_PUT(self):
        self.handle_any("PUT")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()

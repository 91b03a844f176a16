"""A real OTLP/HTTP trace receiver for the tracing end-to-end test: it decodes every export with
the official OpenTelemetry protobuf definitions (opentelemetry-proto from PyPI), exactly as a
collector would, and writes one JSON line per span.

usage: otlp_receiver.py PORT OUT_FILE

Accepts POST /v1/traces with Content-Type application/x-protobuf (gzip or not) or
application/json, answers with an ExportTraceServiceResponse, and refuses anything else with 4xx.
Each line of OUT_FILE: service, trace_id, span_id, parent_span_id (hex), name, kind, start/end
(unix nanoseconds), status code, attributes (a dict of plain values), events (name, time,
attributes). Prints "ready" once it listens.
"""
import gzip
import http.server
import json
import sys
import threading

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

port, out = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()


def plain(value):
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [plain(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return {item.key: plain(item.value) for item in value.kvlist_value.values}
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind) if kind else None


def attributes(items):
    return {item.key: plain(item.value) for item in items}


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v1/traces":
            return self.answer(404, b"not found")
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        try:
            if self.headers.get("Content-Type", "").startswith("application/json"):
                json_format.Parse(body, request)
            else:
                request.ParseFromString(body)
        except Exception as error:  # a malformed export is the exporter's bug: fail loudly
            return self.answer(400, str(error).encode())
        lines = []
        for resource_spans in request.resource_spans:
            resource = attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    lines.append(json.dumps({
                        "service": resource.get("service.name"),
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "kind": span.kind,
                        "start": span.start_time_unix_nano,
                        "end": span.end_time_unix_nano,
                        "status": span.status.code,
                        "attributes": attributes(span.attributes),
                        "events": [
                            {"name": event.name, "time": event.time_unix_nano,
                             "attributes": attributes(event.attributes)}
                            for event in span.events
                        ],
                    }))
        with lock, open(out, "a") as f:
            for line in lines:
                f.write(line + "\n")
        response = ExportTraceServiceResponse().SerializeToString()
        self.answer(200, response, "application/x-protobuf")

    def answer(self, status, body, content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
print("ready", flush=True)
server.serve_forever()

"""An OTLP/HTTP sink for the tracing benchmark: answers every export at once and keeps its
bytes, so that the exporter never waits on decoding; `--count` decodes what was kept afterwards
with the official opentelemetry-proto definitions.

usage: otlp_sink.py PORT DIR        serve; each export is written to DIR/<n>.pb (gunzipped)
       otlp_sink.py --count DIR     print the number of spans kept in DIR, and of exports
"""
import gzip
import http.server
import itertools
import os
import sys
import threading

if sys.argv[1] == "--count":
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    spans = exports = 0
    for name in os.listdir(sys.argv[2]):
        request = ExportTraceServiceRequest()
        with open(os.path.join(sys.argv[2], name), "rb") as f:
            request.ParseFromString(f.read())
        exports += 1
        spans += sum(len(s.spans) for r in request.resource_spans for s in r.scope_spans)
    print(spans, exports)
    sys.exit(0)

port, folder = int(sys.argv[1]), sys.argv[2]
os.makedirs(folder, exist_ok=True)
counter = itertools.count()
lock = threading.Lock()


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        with lock:
            n = next(counter)
        with open(os.path.join(folder, f"{n}.pb"), "wb") as f:
            f.write(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()

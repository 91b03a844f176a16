# syntax=docker/dockerfile:1
# LLM Test Bench: `ltb` in a slim Debian runtime. The build stage runs scripts/package, which
# writes the runtime's exact contents (the binary with the Swift runtime linked in, its
# resources and migrations, the libraries beyond the base image's, the CA bundle, the default
# configuration); the tests unpack the same tree into an empty root and run it.
#
#   docker build -t llm-test-bench:0.1.0 .
#   docker run --rm -p 8080:8080 -e LTB_JWT_SECRET=... llm-test-bench:0.1.0 serve --database postgres://...

FROM swift:6.3-bookworm AS build
WORKDIR /src
COPY Package.swift Package.resolved ./
RUN swift package resolve
COPY . .
RUN scripts/package /package

FROM debian:bookworm-slim
COPY --from=build /package/root/ /
# Not root: the uid the Kubernetes manifests and the compose file run as.
USER 10001:10001
ENV HOME=/var/lib/ltb
WORKDIR /var/lib/ltb
# 8080: HTTP API and /metrics; 50051: the coordinator's gRPC; 8081: a worker's probes and /metrics.
EXPOSE 8080 50051 8081
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["ltb", "healthcheck", "http://127.0.0.1:8080/health"]
ENTRYPOINT ["ltb"]
CMD ["serve", "--config", "/etc/ltb/ltb.toml"]

import LTBCore
import LTBObservability
import Logging
import Testing

@Suite("Tracing backend")
struct TracingBackendTests {
  @Test(
    "off by default; the OTEL_* variables turn it on or off over the settings",
    arguments: [
      ([:], false, false), ([:], true, true),
      (["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"], false, true),
      (["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"], false, true),
      (["OTEL_TRACES_EXPORTER": "otlp"], false, true), (["OTEL_TRACES_EXPORTER": "none"], true, false),
      (["OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"], true, false),
    ] as [([String: String], Bool, Bool)])
  func enabled(environment: [String: String], configured: Bool, expected: Bool) {
    #expect(
      TracingBackend.isEnabled(TracingSettings(enabled: configured), environment: environment) == expected)
  }

  @Test(
    "a bad sample ratio or protocol is a configuration error that names the setting, before anything is installed"
  )
  func refused() async throws {
    for (settings, setting) in [
      (TracingSettings(enabled: true, sampleRatio: 1.5), "observability.sample_ratio"),
      (TracingSettings(enabled: true, otlpProtocol: "udp"), "observability.otlp_protocol"),
    ] {
      do {
        _ = try await TracingBackend.run(settings, logger: Logger(label: "test"), environment: [:]) { 1 }
        Issue.record("\(setting) was accepted")
      } catch let error as LTBError {
        #expect(error.code == .configuration && error.message.contains(setting), "\(error)")
      }
    }
    #expect(!TraceContext.isTracing)
  }

  @Test("with tracing off the body runs as it is, with no tracer installed")
  func off() async throws {
    let value = try await TracingBackend.run(
      TracingSettings(enabled: true), logger: Logger(label: "test"), rootSpan: "x",
      environment: ["OTEL_SDK_DISABLED": "true"]
    ) { TraceContext.isTracing }
    #expect(value == false)
  }
}

@Suite("Database readiness metric")
struct DatabaseReadyMetricTests {
  @Test("ltb_database_ready is 1 when the store answered at scrape time and 0 when it did not")
  func readiness() {
    let metrics = MetricsCollector()
    var readings = MetricsCollector.Readings(
      droppedEvents: 0, databaseOperations: 0, evaluationCacheHits: 0, evaluationCacheMisses: 0)
    #expect(metrics.exposition(readings).contains("\nltb_database_ready 1.0\n"))
    readings.databaseReady = false
    let text = metrics.exposition(readings)
    #expect(text.contains("\nltb_database_ready 0.0\n"))
    #expect(text.contains("# TYPE ltb_database_ready gauge"))
  }
}

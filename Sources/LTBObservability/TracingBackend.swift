public import Foundation
public import LTBCore
public import Logging
import OTel
import ServiceLifecycle
import Synchronization
import Tracing

/// The process's OpenTelemetry tracer: swift-otel's OTLP exporter behind the swift-distributed-
/// tracing API every module records spans through. Off unless `[observability] traces = true`
/// or the environment asks for it; when off nothing is installed and every span is a no-op.
public enum TracingBackend {
  private static let installed = Atomic<Bool>(false)

  /// Whether tracing is on: the settings, overridden by the standard variables. An OTLP endpoint
  /// in the environment (`OTEL_EXPORTER_OTLP_ENDPOINT` or `..._TRACES_ENDPOINT`) or
  /// `OTEL_TRACES_EXPORTER=otlp` turns it on; `OTEL_SDK_DISABLED=true` or
  /// `OTEL_TRACES_EXPORTER=none` turns it off.
  public static func isEnabled(_ settings: TracingSettings, environment: [String: String]) -> Bool {
    if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
    switch environment["OTEL_TRACES_EXPORTER"]?.lowercased() {
    case "none"?: return false
    case "otlp"?: return true
    default: break
    }
    if environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil
      || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
    {
      return true
    }
    return settings.enabled
  }

  /// swift-otel's configuration for `settings` (traces only; metrics stay on /metrics and logs on
  /// stderr). The environment's `OTEL_*` variables are applied over it when the backend is made.
  static func configuration(_ settings: TracingSettings, logger: Logger) throws -> OTel.Configuration {
    var configuration = OTel.Configuration.default
    configuration.serviceName = settings.serviceName
    configuration.diagnosticLogger = .custom(logger)
    configuration.diagnosticLogLevel = .warning
    configuration.metrics.enabled = false
    configuration.logs.enabled = false
    configuration.traces.enabled = true
    configuration.traces.exporter = .otlp
    guard
      let sampler = OTel.Configuration.TracesConfiguration.SamplerConfiguration.parentBasedTraceIDRatio(
        ratio: settings.sampleRatio)
    else {
      throw LTBError(
        .configuration, "observability.sample_ratio is \(settings.sampleRatio), outside 0 to 1",
        fix: "set a share between 0 and 1")
    }
    configuration.traces.sampler = sampler
    // Spans leave in batches every second; a run of thousands of requests a second fills the
    // queue faster than the default 5 s delay drains it.
    configuration.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
    configuration.traces.batchSpanProcessor.maxQueueSize = 65_536
    configuration.traces.batchSpanProcessor.maxExportBatchSize = 2_048
    switch settings.otlpProtocol {
    case "grpc": configuration.traces.otlpExporter.protocol = .grpc
    case "http/json": configuration.traces.otlpExporter.protocol = .httpJSON
    case "http/protobuf": configuration.traces.otlpExporter.protocol = .httpProtobuf
    default:
      throw LTBError(
        .configuration, "observability.otlp_protocol is '\(settings.otlpProtocol)'",
        fix: "use http/protobuf, http/json or grpc")
    }
    if !settings.endpoint.isEmpty {
      var endpoint = settings.endpoint
      if settings.otlpProtocol != "grpc" {
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        endpoint += "/v1/traces"
      }
      configuration.traces.otlpExporter.endpoint = endpoint
    }
    return configuration
  }

  /// Runs `body` with the tracer installed when tracing is on, and exports every span it ended
  /// before returning (the exporter flushes on the way out); with tracing off, runs `body` alone.
  /// A `rootSpan` name makes one span around the whole of `body` (a command's trace: `ltb bench`
  /// puts its store calls, session, tasks and grading in one trace).
  public static func run<T>(
    _ settings: TracingSettings, logger: Logger, rootSpan: String? = nil,
    environment: [String: String] = ProcessInfo.processInfo.environment,
    _ body: () async throws -> T
  ) async throws -> T {
    guard isEnabled(settings, environment: environment) else { return try await body() }
    let backend: (factory: any Tracer, service: any Service)
    do {
      let made = try OTel.makeTracingBackend(configuration: try configuration(settings, logger: logger))
      backend = (made.factory, made.service)
    } catch let error as LTBError {
      throw error
    } catch {
      throw LTBError(
        .configuration, "cannot start OpenTelemetry tracing: \(error)",
        fix: "check [observability] and the OTEL_* environment variables (docs/observability.md)")
    }
    // Once per process (the global tracer cannot be replaced); a second call runs under the first.
    guard
      installed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    else { return try await body() }
    InstrumentationSystem.bootstrap(backend.factory)
    let group = ServiceGroup(
      configuration: ServiceGroupConfiguration(services: [backend.service], logger: logger))
    let exporter = Task { try await group.run() }
    do {
      let value: T
      if let rootSpan {
        value = try await withSpan(rootSpan, ofKind: .internal) { _ in try await body() }
      } else {
        value = try await body()
      }
      await finish(group, exporter, logger: logger)
      return value
    } catch {
      await finish(group, exporter, logger: logger)
      throw error
    }
  }

  /// Flushes the spans still queued and stops the exporter (at most 10 s: a collector that
  /// stopped answering must not hold the process open).
  private static func finish(_ group: ServiceGroup, _ exporter: Task<Void, any Error>, logger: Logger) async {
    await group.triggerGracefulShutdown()
    let watchdog = Task {
      try await Task.sleep(for: .seconds(10))
      logger.warning("the OTLP exporter did not flush within 10 s; spans still queued are dropped")
      exporter.cancel()
    }
    do {
      try await exporter.value
    } catch {
      logger.warning("the OTLP exporter stopped with an error: \(error)")
    }
    watchdog.cancel()
  }
}

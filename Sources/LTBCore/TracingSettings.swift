/// OpenTelemetry tracing (`[observability]`): off unless turned on here or by the standard
/// `OTEL_*` environment variables, which win over these settings.
public struct TracingSettings: Sendable, Hashable {
  /// Whether to export traces.
  public var enabled: Bool
  /// The OTLP collector's base URL (`/v1/traces` is appended for OTLP/HTTP); empty for the
  /// protocol's default (`http://localhost:4318` or `http://localhost:4317`).
  public var endpoint: String
  /// `http/protobuf`, `http/json` or `grpc`.
  public var otlpProtocol: String
  /// The `service.name` resource attribute.
  public var serviceName: String
  /// The share of new traces kept, 0 to 1 (a trace continued from a sampled `traceparent` is
  /// always kept).
  public var sampleRatio: Double

  /// Creates settings.
  public init(
    enabled: Bool = false, endpoint: String = "", otlpProtocol: String = "http/protobuf",
    serviceName: String = "ltb", sampleRatio: Double = 1
  ) {
    self.enabled = enabled
    self.endpoint = endpoint
    self.otlpProtocol = otlpProtocol
    self.serviceName = serviceName
    self.sampleRatio = sampleRatio
  }
}

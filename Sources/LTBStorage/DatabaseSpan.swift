import Tracing

/// A store call's client span, following the OpenTelemetry database conventions: named after the
/// store function (`sqlite insertResults`), with `db.system.name` and `db.operation.name`. With
/// no tracer installed it costs one no-op span.
enum DatabaseSpan {
  static func run<T>(
    _ dialect: SQLDialectKind, _ function: String, write: Bool, isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> T
  ) async throws -> T {
    let operation = function.split(separator: "(", maxSplits: 1).first.map(String.init) ?? function
    let system = dialect == .sqlite ? "sqlite" : "postgresql"
    return try await withSpan("\(system) \(operation)", ofKind: .client) { span in
      if span.isRecording {
        span.updateAttributes { attributes in
          attributes["db.system.name"] = system
          attributes["db.operation.name"] = operation
          attributes["ltb.db.access"] = write ? "write" : "read"
        }
      }
      return try await body()
    }
  }
}

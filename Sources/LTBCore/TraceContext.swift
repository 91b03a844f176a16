public import Tracing

/// The W3C trace context (`traceparent`) of the span a task is in: what a stored result records
/// and what outgoing provider requests carry. Reads whatever tracer is installed; with none (the
/// default) every answer is empty.
public enum TraceContext {
  /// A span's identity as lower-case hex: 32 digits of trace ID, 16 of span ID.
  public struct IDs: Sendable, Hashable {
    /// The trace's ID.
    public var traceID: String
    /// The span's ID.
    public var spanID: String
    /// Whether the sampler kept the span (the `traceparent` flags' low bit).
    public var sampled: Bool

    /// Creates IDs.
    public init(traceID: String, spanID: String, sampled: Bool) {
      self.traceID = traceID
      self.spanID = spanID
      self.sampled = sampled
    }
  }

  /// Whether a tracer is installed (``TracingBackend`` or a test's `withTracer`).
  public static var isTracing: Bool { !(InstrumentationSystem.tracer is NoOpTracer) }

  /// The current span's IDs when a tracer sampled it; `nil` without a tracer, outside a span, or
  /// for a span the sampler dropped (its trace is never exported, so a link to it would be dead).
  public static func currentSampledIDs() -> IDs? {
    guard let ids = headers().first(where: { $0.name == "traceparent" }).flatMap({ parse($0.value) }),
      ids.sampled
    else { return nil }
    return ids
  }

  /// The propagation headers of the current span (`traceparent`, and `tracestate` when set), for
  /// an outgoing request; empty without a tracer or outside a span.
  public static func headers() -> [(name: String, value: String)] {
    guard let context = InstrumentationContext.current else { return [] }
    var carrier = HeaderCarrier()
    InstrumentationSystem.instrument.inject(context, into: &carrier, using: HeaderCarrier.Injector())
    return carrier.fields
  }

  /// Runs `body` as a child of the span a `traceparent` names (a coordinator's session span, for a
  /// worker's task), or as it is when there is none.
  public static func withRemoteParent<T>(
    _ traceparent: String?, isolation: isolated (any Actor)? = #isolation, _ body: () async -> T
  ) async -> T {
    guard let traceparent else { return await body() }
    var context = InstrumentationContext.current ?? .topLevel
    InstrumentationSystem.instrument.extract(
      ["traceparent": traceparent], into: &context, using: HeaderCarrier.Extractor())
    return await InstrumentationContext.$current.withValue(context, operation: body)
  }

  /// Parses a version-00 `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`); `nil` for anything else,
  /// including the all-zero IDs the specification declares invalid.
  public static func parse(_ traceparent: String) -> IDs? {
    // Bytes, not Characters: this runs for every traced request.
    let bytes = Array(traceparent.utf8)
    guard bytes.count == 55, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"),
      bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-")
    else { return nil }
    func isHex(_ range: Range<Int>) -> Bool {
      bytes[range].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
    func isZero(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { $0 == UInt8(ascii: "0") } }
    guard isHex(3..<35), isHex(36..<52), isHex(53..<55), !isZero(3..<35), !isZero(36..<52) else { return nil }
    let flags = bytes[54] >= 0x61 ? bytes[54] - 0x61 + 10 : bytes[54] - 0x30
    return IDs(
      traceID: String(decoding: bytes[3..<35], as: UTF8.self),
      spanID: String(decoding: bytes[36..<52], as: UTF8.self), sampled: flags & 1 == 1)
  }

  /// Header fields in injection order.
  struct HeaderCarrier {
    var fields: [(name: String, value: String)] = []

    struct Extractor: Tracing.Extractor {
      func extract(key: String, from carrier: [String: String]) -> String? { carrier[key.lowercased()] }
    }

    struct Injector: Tracing.Injector {
      func inject(_ value: String, forKey key: String, into carrier: inout HeaderCarrier) {
        carrier.fields.append((key.lowercased(), value))
      }
    }
  }
}

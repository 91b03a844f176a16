import LTBCore
import Testing

@Suite("W3C trace context")
struct TraceContextTests {
  @Test("a version-00 traceparent parses into IDs and the sampled flag")
  func parse() {
    let ids = TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    #expect(
      ids
        == TraceContext.IDs(
          traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true))
    #expect(TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?.sampled == false)
  }

  @Test(
    "anything else is refused",
    arguments: [
      "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
      "00-4bf92f3577b34da6a3ce929d0e0e47g6-00f067aa0ba902b7-01",
    ])
  func refused(_ text: String) {
    #expect(TraceContext.parse(text) == nil)
  }

  @Test("with no tracer installed there is nothing to propagate or store")
  func untraced() async {
    #expect(!TraceContext.isTracing)
    #expect(TraceContext.headers().isEmpty)
    #expect(TraceContext.currentSampledIDs() == nil)
    let inside = await TraceContext.withRemoteParent(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    ) {
      TraceContext.currentSampledIDs()
    }
    #expect(inside == nil, "a no-op instrument extracts nothing")
  }
}

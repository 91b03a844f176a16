import Hummingbird
import LTBObservability
import NIOCore

/// `GET /metrics`: the Prometheus text exposition of the collector, with the services' readings
/// taken at scrape time.
struct MetricsController {
  let gateway: Gateway

  /// Adds `GET /metrics`.
  func addRoutes(to router: Router<GatewayRequestContext>) {
    router.get("/metrics") { _, _ in
      let text = gateway.metrics.exposition(await gateway.readings())
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
  }
}

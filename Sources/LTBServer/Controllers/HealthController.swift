import Hummingbird
import LTBCore
import LTBStorage

/// Liveness and readiness for load balancers and orchestrators: `/health` answers while the
/// process serves; `/ready` only while the database answers too.
struct HealthController {
  let store: any BenchStore

  /// Adds `GET /health` and `GET /ready`.
  func addRoutes(to router: Router<GatewayRequestContext>) {
    router.get("/health") { _, _ in GatewayResponse.json(200, bytes: Self.healthy) }
    router.get("/ready") { _, _ in
      let reachable = await store.isReachable()
      return GatewayResponse.json(
        reachable ? 200 : 503, ["status": .string(reachable ? "ready" : "database unreachable")])
    }
  }

  /// The body of every `/health` answer, written once.
  private static let healthy = Array(#"{"status":"ok"}"#.utf8)
}

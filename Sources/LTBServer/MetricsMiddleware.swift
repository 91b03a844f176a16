public import Hummingbird
public import LTBObservability

/// Records every HTTP request's route template, method, status and duration.
public struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
  let metrics: MetricsCollector

  /// A middleware feeding `metrics`.
  public init(metrics: MetricsCollector) { self.metrics = metrics }

  /// Times the rest of the chain.
  public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    let start = ContinuousClock.now
    do {
      let response = try await next(request, context)
      metrics.recordRequest(
        method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
        status: response.status.code,
        duration: ContinuousClock.now - start)
      return response
    } catch {
      let status = (error as? any HTTPResponseError)?.status.code ?? 500
      metrics.recordRequest(
        method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: status,
        duration: ContinuousClock.now - start)
      throw error
    }
  }
}

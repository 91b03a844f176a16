public import GRPCCore
public import LTBAuth
import LTBCore

/// Admits a worker's calls only with a credential (`authorization: Bearer <API key or access
/// token>`) whose role may run benchmarks: no credential is UNAUTHENTICATED, a viewer's is
/// PERMISSION_DENIED.
public struct WorkerAuthInterceptor: ServerInterceptor {
  let auth: AuthService

  /// An interceptor checking credentials with `auth`.
  public init(auth: AuthService) { self.auth = auth }

  /// Checks the credential, then runs the call.
  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>, context: ServerContext,
    next:
      @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard let header = request.metadata[stringValues: "authorization"].first(where: { _ in true }),
      header.lowercased().hasPrefix("bearer ")
    else {
      throw RPCError(
        code: .unauthenticated,
        message: "a worker needs a credential: pass --token with an API key of a user who may run benchmarks")
    }
    let principal: Principal
    do {
      principal = try await auth.authenticate(String(header.dropFirst(7)), client: ClientInfo())
    } catch {
      throw RPCError(
        code: .unauthenticated, message: "the worker's credential was refused: \(error.error.message)")
    }
    guard principal.role.permissions.contains(.runBenchmark) else {
      throw RPCError(
        code: .permissionDenied,
        message:
          "\(principal.username) (\(principal.role.rawValue)) may not run benchmarks, so not work either")
    }
    return try await next(request, context)
  }
}

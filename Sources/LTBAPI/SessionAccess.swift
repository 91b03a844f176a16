import Foundation
import LTBAuth
import LTBCore
import LTBStorage

/// Ownership: a principal with `ADMIN_ACCESS` sees every session; anyone else sees the sessions
/// they created through the API, and is refused the rest with `FORBIDDEN`.
enum SessionAccess {
  /// The owner filter for lists: `nil` (everyone's) for admins, else the principal's id.
  static func ownerFilter(_ context: APIContext) throws -> UUID? {
    let principal = try context.requirePrincipal()
    return principal.seesEveryone ? nil : principal.userID
  }

  /// The session, when it exists and the principal may see it; `nil` when it does not exist.
  static func session(_ id: UUID, _ context: APIContext, store: any BenchStore) async throws
    -> BenchmarkSession?
  {
    guard let session = try await store.session(id) else { return nil }
    do {
      try check(session, context)
    } catch {
      try? await context.auth?.audit(
        context.principal?.userID, "permission.denied", "session", session.id,
        ["reason": "another user's session"],
        context.client)
      throw error
    }
    return session
  }

  /// The session, or `NOT_FOUND`; `FORBIDDEN` when it is someone else's.
  static func require(_ id: UUID, _ context: APIContext, store: any BenchStore) async throws
    -> BenchmarkSession
  {
    guard let session = try await session(id, context, store: store) else {
      throw LTBError(.notFound, "no session \(id)", fix: "list sessions with the benchmarks query")
    }
    return session
  }

  /// Refuses a session the principal does not own (unless it sees everyone).
  static func check(_ session: BenchmarkSession, _ context: APIContext) throws {
    let principal = try context.requirePrincipal()
    guard principal.seesEveryone || session.ownerID == principal.userID else {
      throw LTBError(
        .permissionDenied, "session \(session.id) belongs to another user",
        fix: "use your own sessions; admins see every session")
    }
  }
}

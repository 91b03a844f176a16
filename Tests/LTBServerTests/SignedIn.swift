import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LTBAuth
import LTBCore
import LTBStorage

/// Authentication for in-process gateway tests: a real auth service over the test's store
/// (argon2id with small parameters, so that tests stay fast), an admin who signed in, and a
/// client that sends the admin's token with every request.
enum SignedIn {
  static let secret = "server-tests-" + String(repeating: "k", count: 40)
  static let hasher = PasswordHasher(memoryKiB: 1_024, iterations: 1, parallelism: 1)

  /// An auth service over `store`.
  static func service(_ store: any AuthStore) async throws -> AuthService {
    try AuthService(
      store: store,
      issuer: try await TokenIssuer(
        secret: secret, issuer: "ltb", audience: "ltb-api", lifetime: .seconds(900)),
      settings: .init(hasher: hasher))
  }

  /// A user of `role` created and signed in: their id and access token.
  static func user(_ auth: AuthService, _ name: String, role: Role) async throws -> (id: UUID, token: String)
  {
    let user = try await auth.createUser(
      username: name, email: "\(name)@example.org", password: "password-of-\(name)", role: role, by: nil,
      client: ClientInfo())
    let pair = try await auth.login(username: name, password: "password-of-\(name)", client: ClientInfo())
    return (user.id, pair.accessToken)
  }
}

/// A test client that adds `Authorization: Bearer <token>` to every request that has none.
struct AuthorizedClient: TestClientProtocol {
  let base: any TestClientProtocol
  let token: String

  func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?)
    async throws -> TestResponse
  {
    var headers = headers
    if headers[.authorization] == nil { headers[.authorization] = "Bearer \(token)" }
    return try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
  }

  var port: Int? { base.port }
}

import ArgumentParser
import Foundation
import LTBAuth
import LTBCore
import LTBStorage

/// What authentication costs: an argon2id hash and a verification at the configured
/// parameters, signing and verifying access tokens, and authenticating a request by API key
/// (first use pays argon2id; later uses hit the 60 s cache) and by access token.
struct AuthBenchmark: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "auth", abstract: "Time argon2id, access tokens and request authentication.")

  @Option(name: .long, help: "argon2id hashes and verifications to time.") var hashes = 20
  @Option(name: .long, help: "Token and key authentications to time.") var requests = 20_000

  func run() async throws {
    let hasher = PasswordHasher.standard
    var start = ContinuousClock.now
    var hash = ""
    for index in 0..<hashes { hash = try hasher.hash("correct horse battery staple \(index)") }
    let hashMs = (ContinuousClock.now - start).milliseconds / Double(hashes)
    start = ContinuousClock.now
    for _ in 0..<hashes { _ = PasswordHasher.verify("wrong", against: hash) }
    let verifyMs = (ContinuousClock.now - start).milliseconds / Double(hashes)
    print(String(format: "argon2id (m=19456 KiB, t=2, p=1): hash %.1f ms, verify %.1f ms", hashMs, verifyMs))

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-auth-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try await SQLBenchStore.open(.sqlite(path: folder.appendingPathComponent("a.sqlite").path))
    let issuer = try await TokenIssuer(
      secret: APIKeyFormat.generate() + APIKeyFormat.generate(), issuer: "ltb", audience: "ltb-api",
      lifetime: .seconds(900))
    let auth = try AuthService(store: store, issuer: issuer)
    let user = try await auth.createUser(
      username: "bench", email: "bench@example.org", password: "benchmark password", role: .admin, by: nil,
      client: ClientInfo())
    let key = try await auth.createAPIKey(
      owner: user.id, name: "bench", role: nil, scopes: nil, expiresAt: nil, by: nil, client: ClientInfo()
    ).key
    let token = try await issuer.sign(user: user.id, username: "bench", role: .admin).token

    start = ContinuousClock.now
    for _ in 0..<requests { _ = try await issuer.sign(user: user.id, username: "bench", role: .admin) }
    print(
      String(
        format: "access token sign: %.0f per second", Double(requests) / (ContinuousClock.now - start).seconds
      ))
    start = ContinuousClock.now
    for _ in 0..<requests { _ = try await issuer.verify(token) }
    print(
      String(
        format: "access token verify: %.0f per second",
        Double(requests) / (ContinuousClock.now - start).seconds))

    start = ContinuousClock.now
    _ = try await auth.authenticate(key, client: ClientInfo())
    print(
      String(
        format: "API key, first use (argon2id + lookup): %.1f ms", (ContinuousClock.now - start).milliseconds)
    )
    start = ContinuousClock.now
    for _ in 0..<requests { _ = try await auth.authenticate(key, client: ClientInfo()) }
    print(
      String(
        format: "API key, cached: %.0f per second", Double(requests) / (ContinuousClock.now - start).seconds))
    start = ContinuousClock.now
    for _ in 0..<requests { _ = try await auth.authenticate(token, client: ClientInfo()) }
    print(
      String(
        format: "access token authentication (verify + active-user check): %.0f per second",
        Double(requests) / (ContinuousClock.now - start).seconds))
    await store.close()
  }
}

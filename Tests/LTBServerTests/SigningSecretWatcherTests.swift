import Foundation
import LTBAuth
import LTBCore
import Logging
import Testing

@testable import LTBServer

@Suite("Signing secret file watcher")
struct SigningSecretWatcherTests {
  @Test("a replaced secret file rotates the issuer; a refused or unreadable one keeps the current secret")
  func watch() async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-jwt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("jwt").path
    let first = "first-signing-secret-0123456789-abcdefghijklmnop"
    try first.write(toFile: path, atomically: true, encoding: .utf8)
    let issuer = try await TokenIssuer(
      secret: first, issuer: "ltb", audience: "ltb-api", lifetime: .seconds(600))
    let watcher = SigningSecretWatcher(
      path: path, issuer: issuer, interval: .seconds(1), logger: Logger(label: "t")
    ) {
      if $0.contains("example") { throw LTBError(.configuration, "looks like an example") }
    }
    let user = UUID()
    let before = try await issuer.sign(user: user, username: "u", role: .viewer).token
    var refused: String?
    await watcher.rotateIfChanged(refused: &refused)
    #expect(refused == nil)

    // Refused: the current secret keeps signing.
    try "an-example-secret-that-is-long-enough-to-pass-length".write(
      toFile: path, atomically: true, encoding: .utf8)
    await watcher.rotateIfChanged(refused: &refused)
    #expect(refused != nil)
    let stillFirst = try await TokenIssuer(
      secret: first, issuer: "ltb", audience: "ltb-api", lifetime: .seconds(600))
    #expect(
      try await stillFirst.verify(try await issuer.sign(user: user, username: "u", role: .viewer).token).user
        == user)

    // Accepted: new tokens use the new secret, the old token still verifies.
    let second = "second-signing-secret-9876543210-zyxwvutsrqponm"
    try second.write(toFile: path, atomically: true, encoding: .utf8)
    await watcher.rotateIfChanged(refused: &refused)
    let after = try await issuer.sign(user: user, username: "u", role: .viewer).token
    let onlySecond = try await TokenIssuer(
      secret: second, issuer: "ltb", audience: "ltb-api", lifetime: .seconds(600))
    #expect(try await onlySecond.verify(after).user == user)
    #expect(try await issuer.verify(before).user == user)

    // Gone: nothing changes.
    try FileManager.default.removeItem(atPath: path)
    await watcher.rotateIfChanged(refused: &refused)
    #expect(
      try await onlySecond.verify(try await issuer.sign(user: user, username: "u", role: .viewer).token).user
        == user)
  }
}

import Foundation
import LTBAuth
import LTBCore

/// The token signing secret of `ltb serve`: from `--jwt-secret-file`, `LTB_JWT_SECRET` or
/// `LTB_JWT_SECRET_FILE` (a Kubernetes secret mount, say). An empty, short or example secret is
/// refused; only `--dev` runs without one, with a random secret that dies with the process.
enum ServerSecret {
  /// Words that mark a secret copied from documentation.
  static let exampleMarkers = ["change", "example", "secret", "your-", "xxxx", "dummy"]

  /// The file the secret is read from, when it comes from one (it is then watched for rotation).
  static func file(_ file: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> String?
  {
    file ?? environment["LTB_JWT_SECRET_FILE"]
  }

  static func load(
    file: String?, dev: Bool, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> String {
    var secret: String?
    var origin = ""
    if let path = Self.file(file, environment: environment) {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw LTBError(
          .configuration, "cannot read the token secret file \(path)",
          fix: "check the path and its permissions")
      }
      secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
      origin = path
    } else if let value = environment["LTB_JWT_SECRET"] {
      secret = value.trimmingCharacters(in: .whitespacesAndNewlines)
      origin = "LTB_JWT_SECRET"
    }
    if dev, secret?.isEmpty ?? true {
      Console.writeError(
        "--dev: signing tokens with a random secret; they stop working when the server stops")
      return APIKeyFormat.generate() + APIKeyFormat.generate()
    }
    guard let secret, !secret.isEmpty else {
      throw LTBError(
        .configuration, "no token signing secret: the server refuses to start without one",
        fix:
          "set LTB_JWT_SECRET (or --jwt-secret-file) to at least 32 random bytes, e.g. `openssl rand -base64 48`; for local development, pass --dev"
      )
    }
    try check(secret, origin: origin, dev: dev)
    return secret
  }

  /// Refuses an example-looking or short secret (`origin` names where it came from).
  static func check(_ secret: String, origin: String, dev: Bool = false) throws {
    let lowered = secret.lowercased()
    if !dev, let marker = exampleMarkers.first(where: { lowered.contains($0) }) {
      throw LTBError(
        .configuration,
        "the token secret from \(origin) looks like an example value (it contains '\(marker)')",
        fix: "generate a random one with `openssl rand -base64 48`")
    }
    guard secret.utf8.count >= TokenIssuer.minimumSecretBytes else {
      throw LTBError(
        .configuration,
        "the token secret from \(origin) is \(secret.utf8.count) bytes; at least \(TokenIssuer.minimumSecretBytes) are needed",
        fix: "generate one with `openssl rand -base64 48`")
    }
  }
}

public import LTBAuth
public import LTBCore
public import Logging
public import ServiceLifecycle

/// Re-reads the token signing secret's file (a mounted Kubernetes or Docker secret) every
/// `interval` and rotates the issuer when it changed: new tokens are signed with the new secret
/// and tokens already issued stay valid until they expire. A new secret that `check` refuses,
/// or a file that cannot be read, is logged and the current secret stays in use.
public struct SigningSecretWatcher: Service {
  /// The secret's file.
  public let path: String
  /// The issuer rotated.
  public let issuer: TokenIssuer
  /// How often the file is looked at.
  public let interval: Duration
  /// Refuses an unusable secret (too short, an example value) with the reason.
  public let check: @Sendable (String) throws -> Void
  /// Where rotations and refusals are logged.
  public let logger: Logger
  private let secrets = FileSecrets(checkInterval: .zero)

  /// A watcher of `path` for `issuer`.
  public init(
    path: String, issuer: TokenIssuer, interval: Duration, logger: Logger,
    check: @escaping @Sendable (String) throws -> Void
  ) {
    self.path = path
    self.issuer = issuer
    self.interval = interval
    self.logger = logger
    self.check = check
  }

  /// Looks at the file every `interval` until the server shuts down.
  public func run() async throws {
    var refused: String?
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      try? await Task.sleep(for: interval)
      await rotateIfChanged(refused: &refused)
    }
  }

  /// One look at the file: rotates when it holds a new, acceptable secret.
  func rotateIfChanged(refused: inout String?) async {
    let secret: String
    do {
      secret = try secrets.secret(path).value
    } catch {
      logger.error("token signing secret: \(error.description); the current secret stays in use")
      return
    }
    guard secret != refused else { return }
    do {
      try check(secret)
      if try await issuer.rotate(to: secret) {
        logger.notice(
          "token signing secret rotated from \(path); tokens signed before stay valid until they expire")
      }
      refused = nil
    } catch {
      refused = secret
      logger.error(
        "token signing secret in \(path) refused: \(LTBError.wrapping(error).description); the current secret stays in use"
      )
    }
  }
}

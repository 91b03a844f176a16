import CArgon2
import Foundation

/// argon2id through libargon2: hashes to the PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`,
/// which carries its own parameters), and verifies with libargon2's constant-time comparison.
public struct PasswordHasher: Sendable, Equatable {
  /// Memory per hash, in KiB.
  public var memoryKiB: UInt32
  /// Passes over memory.
  public var iterations: UInt32
  /// Lanes.
  public var parallelism: UInt32

  /// OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane): about 15 ms a hash here (`ltb-benchmarks auth`).
  public static let standard = PasswordHasher(memoryKiB: 19_456, iterations: 2, parallelism: 1)

  /// Creates a hasher with explicit parameters.
  public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32) {
    self.memoryKiB = memoryKiB
    self.iterations = iterations
    self.parallelism = parallelism
  }

  /// Checks the parameters against libargon2's limits and a floor below which hashes are weak.
  public func validate() throws(AuthFailure) {
    guard memoryKiB >= 8 * parallelism, memoryKiB >= 1_024 else {
      throw .invalidInput(
        "argon2 memory \(memoryKiB) KiB is too small", fix: "use at least 1024 KiB (the default is 19456)")
    }
    guard iterations >= 1, (1...64).contains(parallelism) else {
      throw .invalidInput(
        "argon2 iterations must be ≥ 1 and parallelism 1–64", fix: "the defaults are 2 iterations, 1 lane")
    }
  }

  /// Hashes `secret` with a fresh 16-byte salt from the system's CSPRNG.
  public func hash(_ secret: String) throws(AuthFailure) -> String {
    var generator = SystemRandomNumberGenerator()
    let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    let password = Array(secret.utf8)
    let length = argon2_encodedlen(iterations, memoryKiB, parallelism, UInt32(salt.count), 32, Argon2_id)
    var encoded = [CChar](repeating: 0, count: length)
    let status = argon2id_hash_encoded(
      iterations, memoryKiB, parallelism, password, password.count, salt, salt.count, 32, &encoded, length)
    guard status == ARGON2_OK.rawValue else {
      throw .invalidInput(
        "argon2 could not hash: \(String(cString: argon2_error_message(status)))",
        fix: "check the argon2 parameters")
    }
    return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Whether `secret` matches `encoded`; a malformed hash never matches.
  public static func verify(_ secret: String, against encoded: String) -> Bool {
    guard encoded.hasPrefix("$argon2id$") else { return false }
    let password = Array(secret.utf8)
    return encoded.withCString { argon2id_verify($0, password, password.count) } == ARGON2_OK.rawValue
  }

  /// Whether a stored hash was made with other parameters than these (and should be redone at
  /// the next successful login).
  public func isOutdated(_ encoded: String) -> Bool {
    !encoded.contains("$m=\(memoryKiB),t=\(iterations),p=\(parallelism)$")
  }
}

import Crypto
import Foundation

/// SHA-256 of a module, as lowercase hex (what `sha256sum` prints).
enum PluginDigest {
  static func hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
  }
}

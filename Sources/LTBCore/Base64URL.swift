public import Foundation

/// URL-safe base64 without padding (RFC 4648 §5), as JWTs, PKCE and page cursors use it.
public enum Base64URL {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  /// Encodes bytes, three at a time into four characters, straight into the result.
  public static func encode(_ bytes: some Sequence<UInt8>) -> String {
    let input = Array(bytes)
    let count = (input.count * 4 + 2) / 3
    return String(unsafeUninitializedCapacity: count) { output in
      var written = 0
      var index = 0
      while index < input.count {
        let first = UInt32(input[index])
        let second = index + 1 < input.count ? UInt32(input[index + 1]) : 0
        let third = index + 2 < input.count ? UInt32(input[index + 2]) : 0
        let group = first << 16 | second << 8 | third
        let remaining = input.count - index
        let characters = remaining >= 3 ? 4 : remaining + 1
        for position in 0..<characters {
          output[written] = alphabet[Int(group >> UInt32(18 - 6 * position) & 0x3F)]
          written += 1
        }
        index += 3
      }
      return written
    }
  }

  /// Decodes text, or `nil` when it is not base64url.
  public static func decode(_ text: String) -> Data? {
    let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    return Data(base64Encoded: standard + String(repeating: "=", count: (4 - standard.count % 4) % 4))
  }
}

/// The shape of API keys: `ltb_` and 32 characters of [A-Za-z0-9] from the system's CSPRNG
/// (about 190 bits); the first 8 characters are the key's public id, used to find its hash.
public enum APIKeyFormat {
  /// The prefix every key starts with.
  public static let prefix = "ltb_"
  /// Characters after the prefix.
  public static let length = 32
  /// Characters of the public id.
  public static let idLength = 8
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

  /// A new key (rejection sampling, so that every character is equally likely).
  public static func generate() -> String {
    var generator = SystemRandomNumberGenerator()
    var characters: [UInt8] = []
    while characters.count < length {
      let byte = UInt8.random(in: .min ... .max, using: &generator)
      if byte < 248 { characters.append(alphabet[Int(byte) % alphabet.count]) }
    }
    return prefix + String(decoding: characters, as: UTF8.self)
  }

  /// The public id of a well-formed key, or `nil`.
  public static func id(of key: String) -> String? {
    guard key.hasPrefix(prefix), key.utf8.count == prefix.utf8.count + length,
      key.utf8.dropFirst(prefix.utf8.count).allSatisfy({ alphabet.contains($0) })
    else { return nil }
    return String(key.dropFirst(prefix.count).prefix(idLength))
  }
}

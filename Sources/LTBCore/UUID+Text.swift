public import Foundation

extension UUID {
  /// Parses the canonical 36-character form (either case) without Foundation's `sscanf`; `nil`
  /// for anything else. Pages of results parse hundreds of ids.
  public init?(text: some StringProtocol) {
    switch text.utf8.withContiguousStorageIfAvailable({ UUID(utf8: $0) }) {
    case let parsed??: self = parsed
    case .some(nil): return nil
    case nil:
      guard let fallback = UUID(uuidString: String(text)) else { return nil }
      self = fallback
    }
  }

  /// Parses the canonical 36-character form (either case) from UTF-8 bytes; `nil` for anything else.
  public init?(utf8: UnsafeBufferPointer<UInt8>) {
    guard utf8.count == 36 else { return nil }
    var bytes = (
      UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0),
      UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0)
    )
    let parsed = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
      var position = 0
      var byte = 0
      while position < 36 {
        if position == 8 || position == 13 || position == 18 || position == 23 {
          guard utf8[position] == UInt8(ascii: "-") else { return false }
          position += 1
          continue
        }
        guard let high = Self.nibble(utf8[position]), let low = Self.nibble(utf8[position + 1]) else {
          return false
        }
        output[byte] = high << 4 | low
        byte += 1
        position += 2
      }
      return true
    }
    guard parsed else { return nil }
    self.init(uuid: bytes)
  }

  /// The canonical form in lower case, written from the bytes.
  public var lowercasedText: String { text(digits: "0123456789abcdef") }

  /// The canonical form in upper case (as `uuidString`, without its formatter), written from the bytes.
  public var uppercasedText: String { text(digits: "0123456789ABCDEF") }

  private func text(digits: StaticString) -> String {
    withUnsafeBytes(of: uuid) { bytes in
      String(unsafeUninitializedCapacity: 36) { output in
        var position = 0
        for (index, byte) in bytes.enumerated() {
          if index == 4 || index == 6 || index == 8 || index == 10 {
            output[position] = UInt8(ascii: "-")
            position += 1
          }
          output[position] = digits.utf8Start[Int(byte >> 4)]
          output[position + 1] = digits.utf8Start[Int(byte & 0x0F)]
          position += 2
        }
        return position
      }
    }
  }

  private static func nibble(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}

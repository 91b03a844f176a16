/// Python's notion of whitespace and the string operations built on it (`str.split()`,
/// `str.strip()`), over UTF-8 bytes. The reference libraries tokenize with these, and matching
/// them exactly is what makes our scores equal theirs: Python counts U+001C–U+001F as
/// whitespace, Swift's `isWhitespace` does not.
enum PythonText {
  /// Calls `body` with the UTF-8 bytes of `text`, without copying a native string.
  @inline(__always)
  static func withBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    var copy = text
    return copy.withUTF8(body)
  }

  /// The length in bytes of the whitespace character starting at `index`, or 0.
  @inline(__always)
  static func whitespaceLength(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
    let byte = bytes[index]
    if byte < 0x80 { return (0x09...0x0D).contains(byte) || (0x1C...0x20).contains(byte) ? 1 : 0 }
    let count = bytes.count
    switch byte {
    case 0xC2:
      guard index + 1 < count else { return 0 }
      return bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0 ? 2 : 0
    case 0xE1:
      guard index + 2 < count else { return 0 }
      return bytes[index + 1] == 0x9A && bytes[index + 2] == 0x80 ? 3 : 0
    case 0xE2:
      guard index + 2 < count else { return 0 }
      let second = bytes[index + 1]
      let third = bytes[index + 2]
      if second == 0x80 {
        return (0x80...0x8A).contains(third) || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0
      }
      return second == 0x81 && third == 0x9F ? 3 : 0
    case 0xE3:
      guard index + 2 < count else { return 0 }
      return bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80 ? 3 : 0
    default:
      return 0
    }
  }

  /// Whether a Unicode scalar is whitespace to Python (`str.isspace()`).
  static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
      0x3000:
      true
    default:
      false
    }
  }

  /// `str.split()`: calls `body` with the byte range of each run between whitespace.
  @inline(__always)
  static func forEachToken(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
    var index = 0
    var start = -1
    while index < bytes.count {
      let byte = bytes[index]
      let length = byte > 0x20 && byte < 0x7F ? 0 : whitespaceLength(bytes, index)
      if length > 0 {
        if start >= 0 {
          body(start..<index)
          start = -1
        }
        index += length
      } else {
        if start < 0 { start = index }
        index += 1
      }
    }
    if start >= 0 { body(start..<bytes.count) }
  }

}

extension PythonText {
  /// The length in bytes of a whitespace character ending just before `end`, or `nil`.
  static func trailingWhitespaceLength(_ bytes: UnsafeBufferPointer<UInt8>, before end: Int) -> Int? {
    for length in [1, 2, 3] where end - length >= 0 {
      if whitespaceLength(bytes, end - length) == length { return length }
    }
    return nil
  }
}

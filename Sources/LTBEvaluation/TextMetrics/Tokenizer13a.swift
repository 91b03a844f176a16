/// sacrebleu's default BLEU tokenizer ("13a", as mteval-v13a), byte for byte: the same
/// replacements and the same four regular-expression passes, applied left to right without
/// overlapping matches as Python's `re.sub` does, then Python's whitespace split.
enum Tokenizer13a {
  /// The token ids of `line` (after sacrebleu's `rstrip()` and 13a tokenization), appended to
  /// `ids`; tokens are numbered by `interner`. `scratch` holds the intermediate passes.
  static func tokenize(
    _ line: String, interner: inout TokenInterner, scratch: inout TokenizerScratch,
    into ids: inout GrowableBuffer<UInt32>
  ) {
    PythonText.withBytes(line) { bytes in
      var end = bytes.count
      while end > 0, let length = PythonText.trailingWhitespaceLength(bytes, before: end) { end -= length }
      let needsReplacements = bytes[0..<end].contains {
        $0 == 0x0A || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "&")
      }
      if needsReplacements {
        let replaced = replacements(Array(bytes[0..<end]))
        replaced.withUnsafeBufferPointer { regexpPasses($0, scratch: &scratch) }
      } else {
        regexpPasses(UnsafeBufferPointer(rebasing: bytes[0..<end]), scratch: &scratch)
      }
    }
    let tokenized = scratch.second.buffer
    let base = UnsafePointer(scratch.second.pointer)
    let limit = base + scratch.second.capacity
    PythonText.forEachToken(tokenized) { range in
      ids.append(interner.id(base + range.lowerBound, range.count, readableUpTo: limit))
    }
  }

  /// The tokens of `line` as strings (for tests and explanations).
  static func tokens(_ line: String) -> [String] {
    var interner = TokenInterner()
    var scratch = TokenizerScratch()
    defer { scratch.free() }
    var ids = GrowableBuffer<UInt32>()
    defer { ids.free() }
    tokenize(line, interner: &interner, scratch: &scratch, into: &ids)
    return ids.buffer.map { interner.text($0) }
  }

  /// The replacements before the regular expressions: `<skipped>`, hyphen-newline, newline and
  /// four HTML entities.
  private static func replacements(_ input: [UInt8]) -> [UInt8] {
    var bytes = replacing(input, Array("<skipped>".utf8), with: [])
    bytes = replacing(bytes, Array("-\n".utf8), with: [])
    bytes = replacing(bytes, [0x0A], with: [0x20])
    if bytes.contains(UInt8(ascii: "&")) {
      bytes = replacing(bytes, Array("&quot;".utf8), with: [UInt8(ascii: "\"")])
      bytes = replacing(bytes, Array("&amp;".utf8), with: [UInt8(ascii: "&")])
      bytes = replacing(bytes, Array("&lt;".utf8), with: [UInt8(ascii: "<")])
      bytes = replacing(bytes, Array("&gt;".utf8), with: [UInt8(ascii: ">")])
    }
    return bytes
  }

  /// `str.replace(old, new)`: every non-overlapping occurrence, left to right.
  static func replacing(_ bytes: [UInt8], _ old: [UInt8], with new: [UInt8]) -> [UInt8] {
    guard let first = old.first, bytes.count >= old.count, bytes.contains(first) else { return bytes }
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      if bytes[index] == first, index + old.count <= bytes.count,
        bytes[index..<index + old.count].elementsEqual(old)
      {
        result += new
        index += old.count
      } else {
        result.append(bytes[index])
        index += 1
      }
    }
    return result
  }

  private static let space: UInt8 = 0x20
  private static let period = UInt8(ascii: ".")
  private static let comma = UInt8(ascii: ",")
  private static let dash = UInt8(ascii: "-")

  @inline(__always) private static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

  /// `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: the punctuation that is always split off.
  @inline(__always) private static func isSymbol(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x20...0x26, 0x28...0x2B, 0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
    default: false
    }
  }

  /// The four substitutions of sacrebleu's `TokenizerRegexp` on `" " + input + " "`, in order,
  /// each over the previous one's output; the result is in `scratch.second`. Every pattern's
  /// distinguishing characters are ASCII, so the passes work on bytes: a multi-byte character can
  /// only take part as the "any non-digit" side, and is copied whole.
  private static func regexpPasses(_ input: UnsafeBufferPointer<UInt8>, scratch: inout TokenizerScratch) {
    // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) → " \1 "
    scratch.first.count = 0
    scratch.first.reserve(3 * input.count + 6)
    let out = scratch.first.pointer
    var length = 0
    func emit(_ byte: UInt8) {
      out[length] = byte
      length += 1
    }
    emit(space)
    emit(space)
    emit(space)
    var periodOrComma = false
    var hyphen = false
    for byte in input {
      if byte == period || byte == comma { periodOrComma = true }
      if byte == dash { hyphen = true }
      if isSymbol(byte) {
        emit(space)
        emit(byte)
        emit(space)
      } else {
        emit(byte)
      }
    }
    emit(space)
    emit(space)
    emit(space)
    scratch.first.count = length
    // Passes 2 and 3 only change text with a period or comma, pass 4 only text with a hyphen.
    if periodOrComma { periodAndCommaPasses(&scratch) }
    if hyphen { hyphenPass(&scratch) } else { swap(&scratch.first, &scratch.second) }
  }

  /// Passes 2 and 3, from `first` back into `first` through `second`.
  private static func periodAndCommaPasses(_ scratch: inout TokenizerScratch) {
    // ([^0-9])([\.,]) → "\1 \2 "
    substitutePairs(from: scratch.first, into: &scratch.second, spaceFirst: false) {
      !isDigit($0) && ($1 == period || $1 == comma)
    }
    // ([\.,])([^0-9]) → " \1 \2"
    substitutePairs(from: scratch.second, into: &scratch.first, spaceFirst: true) {
      ($0 == period || $0 == comma) && !isDigit($1)
    }
  }

  /// Pass 4, from `first` into `second`: ([0-9])(-) → "\1 \2 ".
  private static func hyphenPass(_ scratch: inout TokenizerScratch) {
    substitutePairs(from: scratch.first, into: &scratch.second, spaceFirst: false) {
      isDigit($0) && $1 == dash
    }
  }

  /// One `re.sub` of a two-character pattern, left to right without overlaps: each matching pair
  /// `ab` becomes "a b " (or " a b" when `spaceFirst`).
  @inline(__always)
  private static func substitutePairs(
    from source: GrowableBuffer<UInt8>, into output: inout GrowableBuffer<UInt8>, spaceFirst: Bool,
    _ matches: (UInt8, UInt8) -> Bool
  ) {
    let input = source.pointer
    let count = source.count
    output.count = 0
    output.reserve(2 * count + 2)
    let out = output.pointer
    var length = 0
    var index = 0
    while index < count {
      let byte = input[index]
      if index + 1 < count, matches(byte, input[index + 1]) {
        if spaceFirst {
          out[length] = space
          out[length + 1] = byte
          out[length + 2] = space
          out[length + 3] = input[index + 1]
        } else {
          out[length] = byte
          out[length + 1] = space
          out[length + 2] = input[index + 1]
          out[length + 3] = space
        }
        length += 4
        index += 2
      } else {
        out[length] = byte
        length += 1
        index += 1
      }
    }
    output.count = length
  }
}

/// The two buffers the 13a passes alternate between.
struct TokenizerScratch {
  var first = GrowableBuffer<UInt8>(capacity: 256)
  var second = GrowableBuffer<UInt8>(capacity: 256)

  /// Frees both buffers.
  func free() {
    first.free()
    second.free()
  }
}

import LTBCore

/// Reads the common shape of an OpenAI-format stream chunk straight from its bytes: an object
/// of `id`, `object`, `created`, `model`, `system_fingerprint`, `service_tier`, `usage: null`
/// and `choices` holding one choice (`index` 0, a `delta` of `role` and `content`, `refusal`,
/// `reasoning_content` or `reasoning` that are null, `logprobs` and `finish_reason` null). It
/// answers the events ``OpenAIChatChunk/events(isStream:)`` gives for the same chunk, without
/// building JSON values; anything else (an escape in a string, a finish reason, usage, tool
/// calls, an unknown key, a duplicate key, invalid JSON) is `nil`, and the general reader takes
/// it. Most chunks of a stream are this shape: one piece of text.
enum OpenAIChunkScanner {
  /// The chunk's events, or `nil` when it is not the common shape.
  static func events(_ bytes: [UInt8]) -> [StreamEvent]? {
    bytes.withUnsafeBufferPointer { buffer in
      var scanner = Cursor(bytes: buffer)
      return scanner.chunk()
    }
  }

  private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static let chunkKeys = names(
      "id", "model", "object", "system_fingerprint", "service_tier", "created", "usage", "choices")
    static let choiceKeys = names("index", "logprobs", "finish_reason", "delta")
    static let deltaKeys = names("role", "content", "refusal", "reasoning_content", "reasoning")

    static func names(_ names: String...) -> [[UInt8]] { names.map { Array($0.utf8) } }

    mutating func chunk() -> [StreamEvent]? {
      var id: String?
      var model: String?
      var text: String?
      var seen: UInt16 = 0
      guard take(UInt8(ascii: "{")) else { return nil }
      repeat {
        guard let key = key(Self.chunkKeys, seen: &seen) else { return nil }
        switch key {
        case 0:
          guard let value = string() else { return nil }
          id = value
        case 1:
          guard let value = string() else { return nil }
          model = value
        case 2, 3, 4:
          if !null() { guard skipString() else { return nil } }
        case 5:
          guard integer() else { return nil }
        case 6:
          guard null() else { return nil }
        default:
          guard let content = choices() else { return nil }
          text = content
        }
      } while take(UInt8(ascii: ","))
      guard take(UInt8(ascii: "}")), atEnd, seen & (1 << 7) != 0 else { return nil }
      var events: [StreamEvent] = []
      if id != nil || model != nil { events.append(.metadata(responseID: id, model: model)) }
      if let text, !text.isEmpty { events.append(.text(text)) }
      return events
    }

    /// A key among `names` not seen before, and its colon: its index in `names`; `nil` for any
    /// other key, one seen twice, or an escape in it.
    mutating func key(_ names: [[UInt8]], seen: inout UInt16) -> Int? {
      guard take(UInt8(ascii: "\"")) else { return nil }
      let start = position
      while position < bytes.count, bytes[position] != UInt8(ascii: "\""),
        bytes[position] != UInt8(ascii: "\\")
      {
        position += 1
      }
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
      let key = UnsafeBufferPointer(rebasing: bytes[start..<position])
      position += 1
      guard let index = names.firstIndex(where: { $0.elementsEqual(key) }), seen & (1 << index) == 0,
        take(UInt8(ascii: ":"))
      else { return nil }
      seen |= 1 << index
      return index
    }

    /// `[{"index":0,"delta":{...},"logprobs":null,"finish_reason":null}]`: the delta's content
    /// ("" when it has none).
    mutating func choices() -> String? {
      guard take(UInt8(ascii: "[")), take(UInt8(ascii: "{")) else { return nil }
      var content = ""
      var seen: UInt16 = 0
      repeat {
        guard let key = key(Self.choiceKeys, seen: &seen) else { return nil }
        switch key {
        case 0:
          guard take(UInt8(ascii: "0")), !digitFollows else { return nil }
        case 1, 2:
          guard null() else { return nil }
        default:
          guard let text = delta() else { return nil }
          content = text
        }
      } while take(UInt8(ascii: ","))
      guard take(UInt8(ascii: "}")), take(UInt8(ascii: "]")), seen & (1 << 3) != 0 else { return nil }
      return content
    }

    /// `{"role":"assistant","content":"..."}`, with `refusal`, `reasoning_content` or
    /// `reasoning` only as null: the content ("" when null or absent).
    mutating func delta() -> String? {
      guard take(UInt8(ascii: "{")) else { return nil }
      var content = ""
      if take(UInt8(ascii: "}")) { return content }
      var seen: UInt16 = 0
      repeat {
        guard let key = key(Self.deltaKeys, seen: &seen) else { return nil }
        switch key {
        case 0:
          guard skipString() else { return nil }
        case 1:
          if !null() {
            guard let text = string() else { return nil }
            content = text
          }
        default:
          guard null() else { return nil }
        }
      } while take(UInt8(ascii: ","))
      guard take(UInt8(ascii: "}")) else { return nil }
      return content
    }

    var atEnd: Bool {
      mutating get {
        skipSpace()
        return position == bytes.count
      }
    }

    var digitFollows: Bool {
      position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position])
    }

    mutating func skipSpace() {
      while position < bytes.count,
        bytes[position] == 0x20 || bytes[position] == 0x0A || bytes[position] == 0x0D
          || bytes[position] == 0x09
      {
        position += 1
      }
    }

    mutating func take(_ byte: UInt8) -> Bool {
      skipSpace()
      guard position < bytes.count, bytes[position] == byte else { return false }
      position += 1
      return true
    }

    mutating func null() -> Bool {
      skipSpace()
      guard position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "n"),
        bytes[position + 1] == UInt8(ascii: "u"),
        bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l")
      else { return false }
      position += 4
      return true
    }

    /// A non-negative integer without sign, fraction or exponent.
    mutating func integer() -> Bool {
      skipSpace()
      let start = position
      while digitFollows { position += 1 }
      guard position > start, position - start <= 18 else { return false }
      if position < bytes.count,
        [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position])
      {
        return false
      }
      return true
    }

    /// A string without escapes or control characters, as valid UTF-8; `nil` otherwise.
    mutating func string() -> String? {
      guard let range = stringRange() else { return nil }
      return String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Passes over a string that ``string()`` would read, without making it.
    mutating func skipString() -> Bool {
      guard let range = stringRange() else { return false }
      let text = UnsafeBufferPointer(rebasing: bytes[range])
      return text.allSatisfy { $0 < 0x80 } || String(validating: text, as: UTF8.self) != nil
    }

    /// The bytes between the quotes of a string without escapes or control characters.
    mutating func stringRange() -> Range<Int>? {
      guard take(UInt8(ascii: "\"")) else { return nil }
      let start = position
      while position < bytes.count {
        let byte = bytes[position]
        if byte == UInt8(ascii: "\"") {
          position += 1
          return start..<(position - 1)
        }
        if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
        position += 1
      }
      return nil
    }
  }
}

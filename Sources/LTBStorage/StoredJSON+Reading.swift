import Foundation
import LTBCore

extension StoredJSON {
  /// Reads a JSON column with the fast parser and a reader that knows the type's stored shape;
  /// anything the reader does not recognise is decoded with `JSONDecoder`, as before.
  static func read<Value: Decodable>(_ text: String, _ fast: (JSONValue) -> Value?) throws -> Value {
    if let parsed = try? JSONValue.parse(text), let value = fast(parsed) { return value }
    return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
  }

  /// A verdict record: the key-by-key scanner, else (details, a judge, escapes) `JSONDecoder`.
  static func readEvaluation(_ text: String) throws -> EvaluationRecord {
    try evaluation(text: text) ?? JSONDecoder().decode(EvaluationRecord.self, from: Data(text.utf8))
  }

  /// The timing column as `timing(_:)` writes it, read from its UTF-8 bytes by a byte scanner
  /// (no intermediate values); `nil` for any other shape. Without `everyEvent` only the first
  /// and the last content events are read (the ones between are skipped unparsed; see
  /// a listing, ``ResultRow``).
  static func timing(bytes: UnsafeBufferPointer<UInt8>, everyEvent: Bool = true) -> RequestTiming? {
    var scanner = Scanner(bytes: bytes)
    guard scanner.literal("{\"contentEventOffsetsNanos\":[") else { return nil }
    var offsets: [Int64] = []
    if !scanner.literal("]") {
      guard let first = scanner.integer() else { return nil }
      offsets.reserveCapacity(everyEvent ? 64 : 2)
      offsets.append(first)
      if everyEvent {
        while scanner.literal(",") {
          guard let value = scanner.integer() else { return nil }
          offsets.append(value)
        }
      } else if scanner.skipToLastItem() {
        guard let last = scanner.integer() else { return nil }
        offsets.append(last)
      }
      guard scanner.literal("]") else { return nil }
    }
    guard scanner.literal(",\"endOffsetNanos\":"), let end = scanner.integer() else { return nil }
    var scheduled: Int64?
    if scanner.literal(",\"scheduledOffsetNanos\":") {
      guard let value = scanner.integer() else { return nil }
      scheduled = value
    }
    guard scanner.literal("}"), scanner.atEnd else { return nil }
    return RequestTiming(
      scheduledOffsetNanos: scheduled, contentEventOffsetsNanos: offsets, endOffsetNanos: end)
  }

  /// The number JSON writes as `text` (`-?digits(.digits)?([eE][+-]?digits)?`), as `Double`
  /// reads it. Computed exactly when the digits fit 15 and the power of ten 22 (Clinger's fast
  /// path: both are exact doubles, so one division or multiplication rounds correctly), which
  /// covers scores, costs and times as they are stored (with an exponent, the power of ten left
  /// must be within 22); anything else goes to `Double(_:)`.
  /// (`Double(_:)` alone, by way of a `String` and `strtod`, was 3-4% of a page's CPU.)
  static func decimal(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
    var index = 0
    let negative = index < text.count && text[index] == UInt8(ascii: "-")
    if negative { index += 1 }
    var mantissa: UInt64 = 0
    var digits = 0
    var fraction = 0
    var sawDigit = false
    var inFraction = false
    var exact = true
    while index < text.count {
      let byte = text[index]
      if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        sawDigit = true
        if mantissa != 0 || byte != UInt8(ascii: "0") { digits += 1 }
        if digits > 15 {
          exact = false
        } else {
          mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        if inFraction { fraction += 1 }
      } else if byte == UInt8(ascii: "."), !inFraction, sawDigit {
        inFraction = true
        sawDigit = false
      } else {
        break
      }
      index += 1
    }
    // An exponent (Swift writes small costs as `1.2e-05`), of at most three digits.
    var exponent = 0
    if sawDigit, index < text.count, text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") {
      index += 1
      let negativeExponent = index < text.count && text[index] == UInt8(ascii: "-")
      if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
        index += 1
      }
      let start = index
      while index < text.count, index - start < 3, text[index] >= UInt8(ascii: "0"),
        text[index] <= UInt8(ascii: "9")
      {
        exponent = exponent * 10 + Int(text[index] - UInt8(ascii: "0"))
        index += 1
      }
      if index == start { exact = false }
      if negativeExponent { exponent = -exponent }
    }
    // Anything else (more digits, a leading zero, malformed text) is left to `Double(_:)`,
    // whose answer this must equal.
    let first = negative ? 1 : 0
    let leadingZero =
      text.count > first + 1 && text[first] == UInt8(ascii: "0") && text[first + 1] >= UInt8(ascii: "0")
      && text[first + 1] <= UInt8(ascii: "9")
    let power = exponent - fraction
    guard exact, sawDigit, index == text.count, (-22...22).contains(power), !leadingZero else {
      return Double(String(decoding: text, as: UTF8.self))
    }
    let magnitude =
      power < 0 ? Double(mantissa) / Self.powersOfTen[-power] : Double(mantissa) * Self.powersOfTen[power]
    return negative ? -magnitude : magnitude
  }

  /// 10^0 ... 10^22, each exact in a `Double`.
  private static let powersOfTen: [Double] = (0...22).map { power in
    (0..<power).reduce(1.0) { value, _ in value * 10 }
  }

  /// Reads literal text and integers from UTF-8 bytes.
  private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var atEnd: Bool { index == bytes.count }

    mutating func literal(_ text: StaticString) -> Bool {
      let count = text.utf8CodeUnitCount
      guard bytes.count - index >= count else { return false }
      for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
      index += count
      return true
    }

    mutating func skipSpace() {
      while index < bytes.count {
        switch bytes[index] {
        case 0x20, 0x0A, 0x0D, 0x09: index += 1
        default: return
        }
      }
    }

    /// A string without escapes (`nil` for one with escapes: the generic reader handles those).
    mutating func string() -> String? {
      skipSpace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
      let start = index + 1
      var end = start
      while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
        if bytes[end] == UInt8(ascii: "\\") || bytes[end] < 0x20 { return nil }
        end += 1
      }
      guard end < bytes.count else { return nil }
      index = end + 1
      return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// A number, or `.some(nil)` for `null`.
    mutating func optionalNumber() -> Double?? {
      skipSpace()
      if literal("null") { return .some(nil) }
      let start = index
      scan: while index < bytes.count {
        switch bytes[index] {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
          UInt8(ascii: "e"), UInt8(ascii: "E"):
          index += 1
        default: break scan
        }
      }
      guard index > start, let value = StoredJSON.decimal(UnsafeBufferPointer(rebasing: bytes[start..<index]))
      else { return nil }
      return .some(value)
    }

    /// A boolean, or `.some(nil)` for `null`.
    mutating func optionalBool() -> Bool?? {
      skipSpace()
      if literal("true") { return .some(true) }
      if literal("false") { return .some(false) }
      if literal("null") { return .some(nil) }
      return nil
    }

    mutating func punctuation(_ text: StaticString) -> Bool {
      skipSpace()
      return literal(text)
    }

    /// From just after a list's item, moves past the last `,` before the text's last `]`, read
    /// from the end (the list is the last one in the text, and nothing after it holds a `]`):
    /// the items between are skipped unread. `false`, not moving, when the item was the last.
    mutating func skipToLastItem() -> Bool {
      var position = bytes.count - 1
      while position > index, bytes[position] != UInt8(ascii: "]") { position -= 1 }
      while position > index, bytes[position] != UInt8(ascii: ",") { position -= 1 }
      guard position > index || (position == index && bytes[position] == UInt8(ascii: ",")) else {
        return false
      }
      index = position + 1
      return true
    }

    mutating func integer() -> Int64? {
      var negative = false
      if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
        negative = true
        index += 1
      }
      let start = index
      var value: Int64 = 0
      while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
        let (times, overflow) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times.addingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
        guard !overflow, !overflow2 else { return nil }
        value = sum
        index += 1
      }
      guard index > start else { return nil }
      return negative ? -value : value
    }
  }

  /// Sampling parameters (any subset of their keys); `nil` for an unknown key or a wrong type.
  static func parameters(from json: JSONValue) -> SamplingParameters? {
    guard case .object(let members) = json else { return nil }
    var parameters = SamplingParameters()
    for (key, value) in members {
      switch (key, value) {
      case (_, .null): continue
      case ("temperature", _):
        guard let number = number(value) else { return nil }
        parameters.temperature = number
      case ("topP", _):
        guard let number = number(value) else { return nil }
        parameters.topP = number
      case ("topK", _):
        guard let number = value.intValue else { return nil }
        parameters.topK = number
      case ("maxTokens", _):
        guard let number = value.intValue else { return nil }
        parameters.maxTokens = number
      case ("seed", _):
        guard let number = value.intValue else { return nil }
        parameters.seed = number
      case ("presencePenalty", _):
        guard let number = number(value) else { return nil }
        parameters.presencePenalty = number
      case ("frequencyPenalty", _):
        guard let number = number(value) else { return nil }
        parameters.frequencyPenalty = number
      case ("stop", _):
        guard let stop = strings(from: value) else { return nil }
        parameters.stop = stop
      default: return nil
      }
    }
    return parameters
  }

  static func cost(from json: JSONValue) -> Cost? {
    guard case .object(let members) = json, let input = number(members["input"]),
      let cached = number(members["cachedInput"]), let output = number(members["output"])
    else { return nil }
    var cost = Cost(input: input, cachedInput: cached, output: output)
    guard let media = members["media"] else { return members.count == 3 ? cost : nil }
    guard members.count == 6, let image = number(members["image"]), let audio = number(members["audio"]),
      case .object(let record) = media, let imageTokens = record["imageTokens"]?.intValue,
      let audioTokens = record["audioTokens"]?.intValue, case .bool(let estimated)? = record["estimated"]
    else { return nil }
    cost.image = image
    cost.audio = audio
    cost.media = MediaUsage(
      imageTokens: imageTokens, audioTokens: audioTokens, audioSeconds: number(record["audioSeconds"]),
      estimated: estimated)
    return cost
  }

  static func strings(from json: JSONValue) -> [String]? {
    guard case .array(let items) = json else { return nil }
    var strings: [String] = []
    for item in items {
      guard case .string(let text) = item else { return nil }
      strings.append(text)
    }
    return strings
  }

  static func scores(from json: JSONValue) -> [String: Double]? {
    guard case .object(let members) = json else { return nil }
    var scores: [String: Double] = [:]
    for (key, value) in members {
      guard let score = number(value) else { return nil }
      scores[key] = score
    }
    return scores
  }

  /// A JSON array of strings (tags) scanned from its UTF-8 bytes without building `JSONValue`s;
  /// `nil` for anything else (escapes included: the generic reader then takes it).
  static func strings(bytes: UnsafeBufferPointer<UInt8>) -> [String]? {
    var scanner = Scanner(bytes: bytes)
    guard scanner.punctuation("[") else { return nil }
    var strings: [String] = []
    if !scanner.punctuation("]") {
      repeat {
        guard let string = scanner.string() else { return nil }
        strings.append(string)
      } while scanner.punctuation(",")
      guard scanner.punctuation("]") else { return nil }
    }
    scanner.skipSpace()
    return scanner.atEnd ? strings : nil
  }

  /// A JSON object of numbers (scores, costs) scanned from its UTF-8 bytes without building
  /// `JSONValue`s; `nil` for anything else (a `null`, an escape, a nested value, a key twice).
  static func numbers(bytes: UnsafeBufferPointer<UInt8>) -> [String: Double]? {
    var numbers: [String: Double] = [:]
    let read = numberMembers(bytes) { key, number in numbers.updateValue(number, forKey: key) == nil }
    return read ? numbers : nil
  }

  /// Hands each member of a JSON object of numbers to `body`, in order, until it says stop;
  /// `false` when `body` stopped or the text is anything else (as ``numbers(bytes:)`` takes).
  private static func numberMembers(
    _ bytes: UnsafeBufferPointer<UInt8>, _ body: (String, Double) -> Bool
  ) -> Bool {
    var scanner = Scanner(bytes: bytes)
    guard scanner.punctuation("{") else { return false }
    if !scanner.punctuation("}") {
      repeat {
        guard let key = scanner.string(), scanner.punctuation(":"),
          case .some(.some(let number)) = scanner.optionalNumber(), body(key, number)
        else { return false }
      } while scanner.punctuation(",")
      guard scanner.punctuation("}") else { return false }
    }
    scanner.skipSpace()
    return scanner.atEnd
  }

  /// A cost as `cost(_:)` writes it, scanned from its UTF-8 bytes: its three members in any
  /// order, each once; `nil` for anything else, a cost with media included (the generic
  /// reader then takes it). (Matched as they come: a dictionary of them cost a page a hundred
  /// and fifty hashes.)
  static func cost(bytes: UnsafeBufferPointer<UInt8>) -> Cost? {
    var input: Double?
    var cached: Double?
    var output: Double?
    let read = numberMembers(bytes) { key, number in
      switch key {
      case "input" where input == nil: input = number
      case "cachedInput" where cached == nil: cached = number
      case "output" where output == nil: output = number
      default: return false
      }
      return true
    }
    guard read, let input, let cached, let output else { return nil }
    return Cost(input: input, cachedInput: cached, output: output)
  }

  /// A stored verdict read key by key in whatever order the encoder wrote them, without
  /// building a dictionary; `nil` (the generic reader then takes it) for details, a judge,
  /// escaped strings or anything unexpected.
  static func evaluation(text: String) -> EvaluationRecord? {
    var text = text
    return text.withUTF8 { bytes -> EvaluationRecord? in
      var scanner = Scanner(bytes: bytes)
      guard scanner.punctuation("{") else { return nil }
      var result: UUID?
      var session: UUID?
      var testID: String?
      var metric: String?
      var evaluator: String?
      var version: Int?
      var state: EvaluationState?
      var score: Double?
      var value: Double?
      var passed: Bool?
      var threshold: Double?
      var weight: Double?
      var explanation: String?
      var cached: Bool?
      if scanner.punctuation("}") { return nil }
      repeat {
        guard let key = scanner.string(), scanner.punctuation(":") else { return nil }
        switch key {
        case "resultID":
          guard let id = scanner.string().flatMap({ UUID(text: $0) }) else { return nil }
          result = id
        case "sessionID":
          guard let id = scanner.string().flatMap({ UUID(text: $0) }) else { return nil }
          session = id
        case "testID":
          guard let text = scanner.string() else { return nil }
          testID = text
        case "metric":
          guard let text = scanner.string() else { return nil }
          metric = text
        case "evaluator":
          guard let text = scanner.string() else { return nil }
          evaluator = text
        case "explanation":
          guard let text = scanner.string() else { return nil }
          explanation = text
        case "state":
          guard let parsed = scanner.string().flatMap(EvaluationState.init(rawValue:)) else { return nil }
          state = parsed
        case "evaluatorVersion":
          guard case .some(.some(let number)) = scanner.optionalNumber(), let exact = Int(exactly: number)
          else {
            return nil
          }
          version = exact
        case "weight":
          guard case .some(.some(let number)) = scanner.optionalNumber() else { return nil }
          weight = number
        case "score":
          guard let number = scanner.optionalNumber() else { return nil }
          score = number
        case "value":
          guard let number = scanner.optionalNumber() else { return nil }
          value = number
        case "threshold":
          guard let number = scanner.optionalNumber() else { return nil }
          threshold = number
        case "passed":
          guard let flag = scanner.optionalBool() else { return nil }
          passed = flag
        case "cached":
          guard case .some(.some(let flag)) = scanner.optionalBool() else { return nil }
          cached = flag
        default: return nil
        }
      } while scanner.punctuation(",")
      guard scanner.punctuation("}"), let result, let session, let testID, let metric, let evaluator,
        let version,
        let state, let weight, let explanation, let cached
      else { return nil }
      return EvaluationRecord(
        resultID: result, sessionID: session, testID: testID, metric: metric, evaluator: evaluator,
        evaluatorVersion: version, state: state, score: score, value: value, passed: passed,
        threshold: threshold,
        weight: weight, explanation: explanation, cached: cached)
    }
  }

  private static func number(_ value: JSONValue?) -> Double? {
    switch value {
    case .int(let number)?: Double(number)
    case .double(let number)?: number
    default: nil
    }
  }
}

extension JSONValue {
  /// The value as compact JSON text, written directly (no `JSONEncoder`); with `sortedKeys`,
  /// object members are in key order, so equal values give equal text.
  public func serialized(sortedKeys: Bool = false) -> String {
    var output = ""
    output.reserveCapacity(256)
    write(to: &output, sortedKeys: sortedKeys)
    return output
  }

  private func write(to output: inout String, sortedKeys: Bool) {
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .int(let value): output += String(value)
    case .double(let value): output += value.isFinite ? Self.number(value) : "null"
    case .string(let value): Self.writeString(value, to: &output)
    case .array(let values):
      output += "["
      for (index, value) in values.enumerated() {
        if index > 0 { output += "," }
        value.write(to: &output, sortedKeys: sortedKeys)
      }
      output += "]"
    case .object(let members):
      output += "{"
      let ordered = sortedKeys ? members.sorted { $0.key < $1.key } : Array(members)
      for (index, member) in ordered.enumerated() {
        if index > 0 { output += "," }
        Self.writeString(member.key, to: &output)
        output += ":"
        member.value.write(to: &output, sortedKeys: sortedKeys)
      }
      output += "}"
    }
  }

  private static func number(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) + ".0" }
    return String(value)
  }

  /// Appends `value` as a JSON string literal.
  public static func writeString(_ value: String, to output: inout String) {
    // Most strings need no escaping: append them whole.
    if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
      output += "\""
      output += value
      output += "\""
      return
    }
    output += "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          output.unicodeScalars.append(scalar)
        }
      }
    }
    output += "\""
  }
}

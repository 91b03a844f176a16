extension JSONValue {
  /// The value as compact JSON text, written directly (no `JSONEncoder`); with `sortedKeys`,
  /// object members are in key order, so equal values give equal text.
  public func serialized(sortedKeys: Bool = false) -> String {
    var output = JSONOutput(capacity: 256)
    write(to: &output, sortedKeys: sortedKeys)
    return output.text
  }

  private func write(to output: inout JSONOutput, sortedKeys: Bool) {
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .int(let value): output.append(String(value))
    case .double(let value):
      if value.isFinite { output.append(Self.number(value)) } else { output += "null" }
    case .string(let value): output.appendString(value)
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
        output.appendString(member.key)
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
}

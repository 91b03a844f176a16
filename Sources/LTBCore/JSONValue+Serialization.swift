extension JSONValue {
  /// The value as compact JSON text, written directly (no `JSONEncoder`); with `sortedKeys`,
  /// object members are in key order, so equal values give equal text.
  public func serialized(sortedKeys: Bool = false) -> String {
    var output = JSONOutput(capacity: 256)
    output.append(self, sortedKeys: sortedKeys)
    return output.text
  }
}

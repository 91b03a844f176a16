/// An incremental splitter for newline-delimited JSON (Ollama's streaming format).
///
/// Feed it the bytes of each read; it returns every complete, non-blank line. Lines split across
/// reads are joined, several lines in one read are all returned, and a last line without its
/// newline comes out of ``finish()``.
public struct NDJSONDecoder: Sendable {
  private var pending: [UInt8] = []

  /// Creates a decoder.
  public init() {}

  /// Decodes the bytes of one read and returns the complete lines.
  public mutating func feed(_ bytes: some Sequence<UInt8>) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    for byte in bytes {
      if byte == UInt8(ascii: "\n") {
        if let line = takeLine() { lines.append(line) }
      } else {
        pending.append(byte)
      }
    }
    return lines
  }

  /// Ends the stream; returns the last line when it had no newline.
  public mutating func finish() -> [[UInt8]] {
    takeLine().map { [$0] } ?? []
  }

  private mutating func takeLine() -> [UInt8]? {
    defer { pending.removeAll(keepingCapacity: true) }
    var line = pending[...]
    while let last = line.last,
      last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") || last == UInt8(ascii: "\t")
    {
      line = line.dropLast()
    }
    while let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
      line = line.dropFirst()
    }
    return line.isEmpty ? nil : Array(line)
  }
}

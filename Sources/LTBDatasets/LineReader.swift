import Foundation

/// Reads a file line by line in 1 MiB chunks, so that a file of any size is never in memory at once.
final class LineReader {
  private let handle: FileHandle
  private var buffer: [UInt8] = []
  private var start = 0
  private var exhausted = false
  private(set) var lineNumber = 0

  init(path: String) throws {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw CocoaError(.fileReadNoSuchFile)
    }
    self.handle = handle
  }

  deinit {
    try? handle.close()
  }

  /// The next line without its newline, with its 1-based number; `nil` at the end.
  func next() -> (bytes: ArraySlice<UInt8>, line: Int)? {
    while true {
      if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
        var end = newline
        if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = buffer[start..<end]
        start = newline + 1
        lineNumber += 1
        return (line, lineNumber)
      }
      if exhausted {
        guard start < buffer.count else { return nil }
        let line = buffer[start...]
        start = buffer.count
        lineNumber += 1
        return (line, lineNumber)
      }
      buffer.removeFirst(start)
      start = 0
      let chunk = (try? handle.read(upToCount: 1 << 20)) ?? nil
      if let chunk, !chunk.isEmpty {
        buffer.append(contentsOf: chunk)
      } else {
        exhausted = true
      }
    }
  }
}

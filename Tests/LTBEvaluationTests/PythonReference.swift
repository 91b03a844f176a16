import Foundation

/// Runs a reference script under the Python that has the pinned reference libraries
/// (`scripts/python-tools` creates it; `LTB_PYTHON` overrides), feeding JSON on stdin.
enum PythonReference {
  /// The repository's root, from this file's path.
  static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  /// The interpreter's path.
  static func python() throws -> String {
    if let python = ProcessInfo.processInfo.environment["LTB_PYTHON"], !python.isEmpty { return python }
    let output = try run(
      repositoryRoot.appendingPathComponent("scripts/python-tools").path, [], input: Data())
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs `Reference/<script>` with `input` on stdin and decodes its stdout.
  static func run<Output: Decodable>(_ script: String, input: some Encodable, as type: Output.Type) throws
    -> Output
  {
    guard let url = Bundle.module.url(forResource: "Reference/\(script)", withExtension: nil) else {
      throw ReferenceError(message: "missing reference script \(script)")
    }
    let data = try run(try python(), [url.path], input: try JSONEncoder().encode(input))
    return try JSONDecoder().decode(Output.self, from: data)
  }

  private static func run(_ executable: String, _ arguments: [String], input: Data) throws -> Data {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-reference-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let inputURL = directory.appendingPathComponent("stdin")
    let errorURL = directory.appendingPathComponent("stderr")
    try input.write(to: inputURL)
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let stdout = Pipe()
    process.standardInput = try FileHandle(forReadingFrom: inputURL)
    process.standardOutput = stdout
    process.standardError = try FileHandle(forWritingTo: errorURL)
    try process.run()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
      throw ReferenceError(
        message: "\(executable) \(arguments) exited \(process.terminationStatus): \(errors)")
    }
    return output
  }
}

/// A reference script could not run.
struct ReferenceError: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}

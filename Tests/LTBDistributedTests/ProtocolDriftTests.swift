import Foundation
import Testing

/// The generated protocol code (Sources/LTBProtocol) is what proto/ generates today.
@Suite("Protocol code")
struct ProtocolDriftTests {
  @Test(
    "the committed generated code is what scripts/generate-protos writes from proto/ (run it after changing a .proto)"
  )
  func noDrift() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let output = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-protos-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: output) }
    let process = Process()
    process.executableURL = root.appendingPathComponent("scripts/generate-protos")
    process.arguments = ["--no-build", output.path]
    process.currentDirectoryURL = root
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    try #require(process.terminationStatus == 0, "scripts/generate-protos failed: \(message)")
    let committed = root.appendingPathComponent("Sources/LTBProtocol")
    let names = try FileManager.default.contentsOfDirectory(atPath: committed.path).sorted()
    #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).sorted() == names)
    #expect(names == ["distributed.grpc.swift", "distributed.pb.swift"])
    for name in names {
      let expected = try String(contentsOf: output.appendingPathComponent(name), encoding: .utf8)
      let actual = try String(contentsOf: committed.appendingPathComponent(name), encoding: .utf8)
      #expect(actual == expected, "\(name) differs from what proto/ generates: run scripts/generate-protos")
    }
  }
}

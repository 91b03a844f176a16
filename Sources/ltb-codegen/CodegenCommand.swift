import Foundation
import LTBCodegen

/// `ltb-codegen SCHEMA OUTPUT_DIR [--check]`: writes the generated files, or with `--check`
/// exits 1 listing the files that differ from what the schema generates.
@main
enum CodegenCommand {
  static func main() {
    let arguments = Array(CommandLine.arguments.dropFirst())
    let check = arguments.contains("--check")
    let paths = arguments.filter { $0 != "--check" }
    guard paths.count == 2 else {
      FileHandle.standardError.write(Data("usage: ltb-codegen SCHEMA.graphql OUTPUT_DIR [--check]\n".utf8))
      exit(64)
    }
    do {
      let schema = try String(contentsOfFile: paths[0], encoding: .utf8)
      let files = try CodeGenerator.files(schemaText: schema)
      var stale: [String] = []
      try FileManager.default.createDirectory(atPath: paths[1], withIntermediateDirectories: true)
      for (name, contents) in files.sorted(by: { $0.key < $1.key }) {
        let path = paths[1] + "/" + name
        let current = try? String(contentsOfFile: path, encoding: .utf8)
        guard current != contents else { continue }
        stale.append(name)
        if !check { try Data(contents.utf8).write(to: URL(fileURLWithPath: path)) }
      }
      if check, !stale.isEmpty {
        print("out of date: \(stale.joined(separator: ", ")); run ltb-codegen \(paths[0]) \(paths[1])")
        exit(1)
      }
      print(stale.isEmpty ? "up to date" : "wrote \(stale.joined(separator: ", "))")
    } catch {
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      exit(65)
    }
  }
}

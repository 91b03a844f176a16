import ArgumentParser
import Foundation
import LTBCore
import LTBEvaluation
import LTBStorage

/// `ltb report SESSION --format json|csv|junit|markdown|html`.
struct ReportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report", abstract: "Write a session's report: json, csv, junit, markdown or html.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var storage: DatabaseOption
  @Argument(help: "The session id.") var session: String
  @Option(name: .long, help: "json, csv, junit, markdown or html.", transform: ArgumentValue.parse)
  var format: ReportFormat = .markdown
  @Option(name: .long, help: "Write to this file instead of standard output.") var output: String?

  func run() async throws {
    let configuration = try global.loadConfiguration()
    let data = try await global.withStore(configuration, database: storage.database) { store in
      try await ReportData.load(session: try SessionID.parse(session), store: store)
    }
    let text = format.render(data)
    if let output {
      do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
      } catch {
        throw LTBError(.invalidInput, "cannot write \(output)", fix: "choose a writable --output path")
      }
      Console.writeError("wrote \(format.rawValue) report to \(output)")
    } else {
      print(text, terminator: "")
    }
  }
}

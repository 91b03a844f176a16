import ArgumentParser
import Foundation
import LTBAuth
import LTBCore

/// The `ltb` command: a thin layer that parses arguments, builds services, calls them and prints.
@main
struct LTB: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ltb",
    abstract: "LLM Test Bench: benchmark and evaluate LLM providers on your own data.",
    version: "0.1.0",
    subcommands: [
      BenchCommand.self, TestCommand.self, ProvidersCommand.self, DatasetCommand.self, SessionsCommand.self,
      ResultsCommand.self, ExportCommand.self, ImportCommand.self, MigrateCommand.self, ConfigCommand.self,
      FakeServerCommand.self, EvalCommand.self, CompareCommand.self, AnalyzeCommand.self,
      OptimizeCommand.self,
      ReportCommand.self, ServeCommand.self, UsersCommand.self, KeysCommand.self, WorkerCommand.self,
      CoordinatorCommand.self, AlertsCommand.self, HealthcheckCommand.self, PluginsCommand.self,
    ]
  )

  /// Runs the command and maps every failure once: message and fix on stderr, exit code by error code.
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      guard let error = (error as? LTBError) ?? (error as? AuthFailure)?.error else { exit(withError: error) }
      FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
      if let fix = error.fix { FileHandle.standardError.write(Data("  fix: \(fix)\n".utf8)) }
      Foundation.exit(error.code.exitCode)
    }
  }
}

import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBIntegrations

/// `ltb import results FILE...`: the Rust LLM Test Bench's bench result files as sessions.
struct ImportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import", abstract: "Bring in runs made elsewhere.", subcommands: [Results.self])

  struct Results: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Store the Rust LLM Test Bench's bench result files as sessions (tagged imported).",
      discussion: """
        Each file (a BenchmarkResults .json, or a results.jsonl of TestResults) becomes one \
        completed session whose description names what could not be mapped; compare it with a \
        new run of the same cases with `ltb compare OLD NEW`. A file that cannot be read whole \
        stores nothing.
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Argument(help: "The result files.") var files: [String]
    @Option(name: .long, help: "The provider name for JSONL files, which do not say (default: unknown).")
    var provider: String?

    func run() async throws {
      let configuration = try global.loadConfiguration()
      // Every file is read before anything is stored: one bad file stores nothing.
      let runs = try files.map { try RustBenchResults.read(path: $0, provider: provider) }
      try await global.withStore(configuration, database: storage.database) { store in
        for (file, run) in zip(files, runs) {
          let session = try await run.store(into: store, file: file, catalog: configuration.catalog)
          let counts = Dictionary(grouping: run.results, by: \.status).mapValues(\.count)
          let breakdown = ResultStatus.allCases.compactMap { status in
            counts[status].map { "\($0) \(status.rawValue)" }
          }.joined(separator: ", ")
          print("\(session.id.uuidString.lowercased())  \(file): \(run.results.count) results (\(breakdown))")
        }
      }
    }
  }
}

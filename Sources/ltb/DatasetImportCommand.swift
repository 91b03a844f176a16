import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBDatasets
import LTBIntegrations

extension DatasetCommand {
  /// `ltb dataset import --from langsmith|llamaindex NAME -o FILE`.
  struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Pull a dataset from LangSmith (by name) or a LlamaIndex LabelledRagDataset file into a JSONL dataset.",
      discussion: """
        LangSmith: [integrations.langsmith] (api_url, api_key_env; LANGSMITH_API_KEY by default). \
        Inputs become the prompt or messages, outputs the expected answer, metadata is kept \
        (docs/configuration.md). The file written is checked before this returns.
        """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "langsmith or llamaindex.") var from: String
    @Argument(help: "The LangSmith dataset's name, or the LabelledRagDataset file.") var name: String
    @Option(name: [.short, .long], help: "The JSONL file to write.") var output: String

    func run() async throws {
      guard let source = DatasetImporter.Source(rawValue: from) else {
        throw LTBError(
          .invalidInput, "cannot import from '\(from)'", fix: "use --from langsmith or --from llamaindex")
      }
      let configuration = try global.loadConfiguration()
      let importer = DatasetImporter(
        langsmith: configuration.langsmith, importDirectory: configuration.exports.importDirectory)
      let count = try await importer.importDataset(from: source, name: name, to: output)
      print("wrote \(count) cases from \(from) '\(name)' to \(output)")
    }
  }
}

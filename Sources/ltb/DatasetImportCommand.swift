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
      let cases: [JSONValue]
      switch from {
      case "langsmith":
        let configuration = try global.loadConfiguration()
        let client = try LangSmithClient(settings: configuration.langsmith)
        let dataset = try await client.dataset(named: name)
        guard let id = dataset["id"]?.stringValue else {
          throw LTBError(.decoding, "LangSmith returned dataset '\(name)' without an id")
        }
        cases = LangSmithExamples.cases(try await client.examples(dataset: id), dataset: name)
      case "llamaindex":
        do {
          cases = try LabelledRagDataset.cases(file: name)
        } catch {
          throw error.error
        }
      default:
        throw LTBError(
          .invalidInput, "cannot import from '\(from)'", fix: "use --from langsmith or --from llamaindex")
      }
      let text = cases.map { $0.serialized(sortedKeys: true) }.joined(separator: "\n") + "\n"
      do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
      } catch {
        throw LTBError(.invalidInput, "cannot write \(output)", fix: "choose a writable -o path")
      }
      let (count, issues) = try DatasetFile.open(output).validate()
      if let issue = issues.first {
        throw LTBError(
          .invalidInput, "the imported dataset has \(issues.count) problem(s), first: \(issue)",
          fix: "report this with the dataset that caused it")
      }
      print("wrote \(count) cases from \(from) '\(name)' to \(output)")
    }
  }
}

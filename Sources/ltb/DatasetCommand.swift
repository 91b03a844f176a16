import ArgumentParser
import Foundation
import LTBCore
import LTBDatasets

/// `ltb dataset validate|stats`.
struct DatasetCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dataset", abstract: "Check, describe and convert dataset files.",
    subcommands: [Validate.self, Stats.self, Convert.self, Import.self])

  /// `ltb dataset convert FILE --to llamaindex`.
  struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a dataset in another tool's format: llamaindex (a LabelledRagDataset JSON file).")
    @Argument(help: "A dataset file (any format ltb reads).") var file: String
    @Option(name: .long, help: "The format to write: llamaindex.") var to: String
    @Option(name: [.short, .long], help: "The file to write; standard output when omitted.") var output:
      String?

    func run() throws {
      guard to == "llamaindex" else {
        throw LTBError(.invalidInput, "cannot convert to '\(to)'", fix: "use --to llamaindex")
      }
      var cases: [TestCase] = []
      do {
        var iterator = try DatasetFile.open(file).makeCaseIterator()
        while let next = iterator.next() { cases.append(try next.get().testCase) }
      } catch {
        throw error.error
      }
      let text = LabelledRagDataset.document(cases).serialized(sortedKeys: true)
      guard let output else {
        print(text)
        return
      }
      do {
        try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output))
      } catch {
        throw LTBError(.invalidInput, "cannot write \(output)", fix: "choose a writable path")
      }
      Console.writeError("wrote \(cases.count) examples to \(output)")
    }
  }

  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Read every case; report each problem with file, line and field.")
    @Argument(help: "Dataset files (.json, .jsonl, .yaml, .csv).") var files: [String]
    @Option(name: .long, help: "Report at most this many problems per file.") var maxProblems = 50

    func run() throws {
      var problems = 0
      for path in files {
        let file: DatasetFile
        do {
          file = try DatasetFile.open(path)
        } catch {
          Console.writeError("error: \(error)")
          problems += 1
          continue
        }
        let (count, issues) = file.validate(maxIssues: maxProblems)
        for issue in issues { Console.writeError("error: \(issue)") }
        problems += issues.count
        print(
          "\(path): \(count) valid case\(count == 1 ? "" : "s")\(issues.isEmpty ? "" : ", \(issues.count) problem\(issues.count == 1 ? "" : "s")")"
        )
      }
      if problems > 0 {
        throw LTBError(
          .invalidInput, "\(problems) problem\(problems == 1 ? "" : "s") found", fix: "fix the lines above")
      }
    }
  }

  struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Counts, categories, tags and prompt sizes.")
    @Argument(help: "A dataset file.") var file: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() throws {
      let dataset: DatasetFile
      let statistics: DatasetStatistics
      do {
        dataset = try DatasetFile.open(file)
        statistics = try DatasetStatistics(file: dataset)
      } catch {
        throw error.error
      }
      if json {
        print(try Console.json(statistics))
        return
      }
      print(
        "\(dataset.name) (\(dataset.format.rawValue)): \(statistics.cases) cases\(statistics.invalidCases > 0 ? ", \(statistics.invalidCases) invalid" : "")"
      )
      let characters = statistics.promptCharacters
      print(
        String(
          format: "prompt characters: min %d, mean %.1f, max %d; about %d prompt tokens in all (estimate)",
          characters.min, characters.mean, characters.max, statistics.estimatedPromptTokens))
      print(
        "with expected answer \(statistics.withExpected), references \(statistics.withReferences), context \(statistics.withContext), conversations \(statistics.conversations)"
      )
      print("assertions \(statistics.assertions), attachments \(statistics.attachments)")
      if !statistics.categories.isEmpty {
        print(
          "categories: "
            + statistics.categories.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
              separator: ", "))
      }
      if !statistics.tags.isEmpty {
        print(
          "tags: "
            + statistics.tags.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
              separator: ", "))
      }
    }
  }
}

import Foundation
import LTBCore
import LTBDatasets
import Testing

/// Files in the Rust LLM Test Bench's dataset shape (its `Dataset` / `TestCase` / `DefaultConfig` /
/// `TestConfig`), written here as that project writes them, including its optional fields left
/// out and its edge cases.
@Suite("Rust LLM Test Bench datasets")
struct RustBenchDatasetTests {
  static let json = """
    {
      "name": "coding-tasks",
      "description": "Programming challenges",
      "version": "1.0.0",
      "defaults": {"temperature": 0.7, "max_tokens": 500, "top_p": 0.9, "stop": ["```end"]},
      "metadata": {"author": "team"},
      "test_cases": [
        {
          "id": "fizzbuzz",
          "category": "coding",
          "prompt": "Write {{lang}} code for {{task}}. Use {{lang}} idioms.",
          "variables": {"lang": "Rust", "task": "FizzBuzz"},
          "expected": "fn main",
          "references": ["for i in 1..=100", "println!"],
          "config": {"model": "gpt-4", "temperature": 0.0, "max_tokens": 300, "top_p": 0.5, "stop": ["END"]},
          "metadata": {"difficulty": "easy"}
        },
        {"id": "bare", "prompt": "Explain {{ this }} and {{that}} literally."},
        {"id": "nulls", "category": null, "prompt": "Hi", "variables": null, "expected": null,
         "references": null, "config": null, "metadata": null}
      ]
    }
    """

  @Test(
    "a JSON file loads as it is: name, defaults, rendered prompts, expected answers, references, settings")
  func json() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let file = try DatasetFile.open(try folder.write("coding.json", Self.json))
    #expect(file.name == "coding-tasks")
    #expect(file.description == "Programming challenges, version 1.0.0")
    let cases = try folder.cases("coding.json", Self.json)
    #expect(cases.map(\.id) == ["fizzbuzz", "bare", "nulls"])
    let first = cases[0]
    #expect(first.prompt == "Write Rust code for FizzBuzz. Use Rust idioms.")
    #expect(first.category == "coding")
    #expect(first.expected == "fn main")
    #expect(first.references == ["for i in 1..=100", "println!"])
    #expect(first.overrides == CaseOverrides(model: "gpt-4", temperature: 0, maxTokens: 300, stop: ["END"]))
    #expect(first.metadata["difficulty"] == "easy")
    #expect(first.metadata["rust_top_p"] == .double(0.5))
    #expect(first.variables["lang"] == "Rust")
    // Without variables a prompt is sent as written, braces and all.
    #expect(cases[1].prompt == "Explain {{ this }} and {{that}} literally.")
    // The defaults fill what a case leaves unset.
    #expect(cases[2].overrides == CaseOverrides(temperature: 0.7, maxTokens: 500, stop: ["```end"]))
    #expect(cases[2].metadata["rust_top_p"] == .double(0.9))
    #expect(cases[2].category == nil)
  }

  @Test("a YAML file loads the same way")
  func yaml() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let cases = try folder.cases(
      "instructions.yaml",
      """
      name: instruction-following
      description: Instruction adherence tests
      version: "1.0.0"

      defaults:
        temperature: 0.3
        max_tokens: 400

      test_cases:
        - id: format-numbered-list
          category: instruction-following
          prompt: "List {{n}} fruits. Format your response as a numbered list."
          variables:
            n: "three"
          references:
            - "1."
            - "2."
        - id: multi-step
          prompt: |
            Follow these steps exactly:
            1. Write a haiku about coding
      """)
    #expect(cases.map(\.id) == ["format-numbered-list", "multi-step"])
    #expect(cases[0].prompt == "List three fruits. Format your response as a numbered list.")
    #expect(cases[0].references == ["1.", "2."])
    #expect(cases[1].prompt?.hasPrefix("Follow these steps exactly:\n1. Write") == true)
    #expect(cases[1].overrides.temperature == 0.3 && cases[1].overrides.maxTokens == 400)
  }

  @Test("a missing variable, a case without id or prompt, an unknown field: named with case, field and fix")
  func problems() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let missing = try folder.issue(
      "missing.json",
      #"{"name": "d", "version": "1", "test_cases": [{"id": "a", "prompt": "{{x}} and {{y}} {{x}}", "variables": {"x": "1"}}]}"#
    )
    #expect(missing?.problem == "Missing variables: y")
    #expect(missing?.caseID == "a")
    #expect(missing?.field == "prompt")
    let noPrompt = try folder.issue(
      "noprompt.json", #"{"name": "d", "version": "1", "test_cases": [{"id": "a"}]}"#)
    #expect(noPrompt?.problem == "the case has no prompt")
    let unknown = try folder.issue(
      "unknown.json",
      #"{"name": "d", "version": "1", "test_cases": [{"id": "a", "prompt": "p", "tags": []}]}"#)
    #expect(unknown?.problem == "unknown field 'tags'")
    let setting = try folder.issue(
      "setting.json",
      #"{"name": "d", "version": "1", "test_cases": [{"id": "a", "prompt": "p", "config": {"seed": 1}}]}"#)
    #expect(setting?.field == "config.seed")
    let duplicate = try folder.issue(
      "duplicate.json",
      #"{"name": "d", "version": "1", "test_cases": [{"id": "a", "prompt": "p"}, {"id": "a", "prompt": "q"}]}"#
    )
    #expect(duplicate?.problem.contains("already used") == true)
  }

  @Test("rendering follows that project: word names only, missing names listed once in order")
  func rendering() {
    #expect(RustBenchDataset.render("{{a}}{{b}}", variables: ["a": "1", "b": "2"]) == .success("12"))
    #expect(RustBenchDataset.render("{{ a }}", variables: ["a": "1"]) == .success("{{ a }}"))
    #expect(RustBenchDataset.render("{{a-b}} {{", variables: [:]) == .success("{{a-b}} {{"))
    #expect(
      RustBenchDataset.render("{{z}} {{y}} {{z}}", variables: [:])
        == .failure(RustBenchDataset.MissingNames(names: ["z", "y"])))
  }
}

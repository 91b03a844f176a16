import Foundation
import LTBCore
import LTBDatasets
import Testing

/// Writes dataset files into a temporary folder.
struct DatasetFolder {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-datasets-\(UUID().uuidString)")

  init() throws {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func write(_ name: String, _ text: String) throws -> String {
    let path = url.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func cases(_ name: String, _ text: String) throws -> [TestCase] {
    var iterator = try DatasetFile.open(try write(name, text)).makeCaseIterator()
    var cases: [TestCase] = []
    while let next = iterator.next() { cases.append(try next.get().testCase) }
    return cases
  }

  func issue(_ name: String, _ text: String) throws -> DatasetIssue? {
    let path = try write(name, text)
    do {
      let (_, issues) = try DatasetFile.open(path).validate()
      return issues.first
    } catch {
      return error
    }
  }

  func remove() { try? FileManager.default.removeItem(at: url) }
}

@Suite("Datasets")
struct DatasetTests {
  static let expected = [
    TestCase(
      id: "a", prompt: "Capital of France?", system: "Be brief.", expected: "Paris", tags: ["geo", "easy"],
      category: "facts",
      overrides: CaseOverrides(temperature: 0.5, maxTokens: 16),
      assertions: [["type": "icontains", "value": "Paris"]]),
    TestCase(
      id: "b", prompt: "Capital of Japan?", system: "Be brief.", expected: "Tokyo", tags: ["geo"],
      category: "facts",
      overrides: CaseOverrides(temperature: 0.5, maxTokens: 16)),
  ]

  @Test("JSON (array and object), JSONL, YAML and CSV give the same cases")
  func everyFormat() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let defaults =
      #""defaults": {"system": "Be brief.", "category": "facts", "temperature": 0.5, "max_tokens": 16, "tags": ["geo"]}"#
    let json = """
      {\(defaults), "cases": [
        {"id": "a", "prompt": "Capital of France?", "expected": "Paris", "tags": ["easy"], "assertions": [{"type": "icontains", "value": "Paris"}]},
        {"id": "b", "prompt": "Capital of Japan?", "expected": "Tokyo"}
      ]}
      """
    #expect(try folder.cases("d.json", json) == Self.expected)
    let jsonl = """
      {\(defaults)}
      {"id": "a", "prompt": "Capital of France?", "expected": "Paris", "tags": ["easy"], "assertions": [{"type": "icontains", "value": "Paris"}]}

      {"id": "b", "prompt": "Capital of Japan?", "expected": "Tokyo"}
      """
    #expect(try folder.cases("d.jsonl", jsonl) == Self.expected)
    let yaml = """
      defaults:
        system: Be brief.
        category: facts
        temperature: 0.5
        max_tokens: 16
        tags: [geo]
      cases:
        - id: a
          prompt: Capital of France?
          expected: Paris
          tags: [easy]
          assertions:
            - { type: icontains, value: Paris }
        - id: b
          prompt: Capital of Japan?
          expected: Tokyo
      """
    #expect(try folder.cases("d.yaml", yaml) == Self.expected)
    let csv = """
      id,prompt,system,expected,tags,category,temperature,max_tokens,assertions
      a,Capital of France?,Be brief.,Paris,"geo,easy",facts,0.5,16,"[{""type"": ""icontains"", ""value"": ""Paris""}]"
      b,Capital of Japan?,Be brief.,Tokyo,geo,facts,0.5,16,
      """
    #expect(try folder.cases("d.csv", csv) == Self.expected)
    let array = #"[{"id": "x", "prompt": "hi"}]"#
    #expect(try folder.cases("plain.json", array) == [TestCase(id: "x", prompt: "hi")])
  }

  @Test("templates render from case and default variables; messages, system and CSV vars.* too")
  func templates() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let yaml = """
      defaults:
        vars: { lang: French, name: Ada }
        system: "Answer in {{ lang }}."
      cases:
        - prompt: "Say hello to {{name}} in {{lang}}."
          vars: { name: Grace }
        - messages:
            - { role: user, content: "Hi {{name}}" }
            - { role: assistant, content: "Hello!" }
            - { role: user, content: "Bye" }
      """
    let cases = try folder.cases("t.yaml", yaml)
    #expect(cases[0].prompt == "Say hello to Grace in French.")
    #expect(cases[0].system == "Answer in French.")
    #expect(cases[0].id == "t-1", "cases without an id are numbered")
    #expect(cases[1].messages?.map(\.text) == ["Hi Ada", "Hello!", "Bye"])
    #expect(cases[1].messages?.map(\.role) == [.user, .assistant, .user])
    let csv = "prompt,vars.a,vars.b,metadata.source\nAdd {{a}} and {{b}},2,3,unit\n"
    let csvCases = try folder.cases("t.csv", csv)
    #expect(csvCases[0].prompt == "Add 2 and 3")
    #expect(csvCases[0].metadata == ["source": "unit"])
  }

  @Test("a missing template variable names the variables and the case")
  func missingVariable() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let issue = try folder.issue(
      "m.jsonl", #"{"id": "q1", "prompt": "Hi {{name}}, {{ mood }}?", "vars": {"other": "x"}}"#)
    #expect(issue?.line == 1)
    #expect(issue?.caseID == "q1")
    #expect(issue?.field == "prompt")
    #expect(issue?.problem.contains("'name', 'mood'") == true)
  }

  @Test(
    "each problem names its line and field",
    arguments: [
      ("u.jsonl", "{\"prompt\": \"ok\"}\n{\"promt\": \"typo\"}\n", 2, "promt", "did you mean 'prompt'?"),
      ("t.jsonl", "{\"prompt\": \"ok\", \"temperature\": 3}\n", 1, "temperature", "between 0 and 2"),
      ("m.jsonl", "{\"prompt\": \"ok\", \"max_tokens\": 0}\n", 1, "max_tokens", "at least one"),
      ("n.jsonl", "\n\n{\"expected\": \"x\"}\n", 3, "prompt", "add a prompt"),
      (
        "b.jsonl", "{\"prompt\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"b\"}]}\n", 1,
        "messages", "keep one"
      ),
      (
        "r.jsonl", "{\"messages\": [{\"role\": \"robot\", \"content\": \"b\"}]}\n", 1, "messages[0].role",
        "system, user"
      ),
      ("w.jsonl", "{\"prompt\": [\"a\"]}\n", 1, "prompt", "as a string"),
      (
        "a.jsonl", "{\"prompt\": \"a\", \"images\": [\"missing.png\"]}\n", 1, "images[0]",
        "relative to the dataset"
      ),
      // Formats come from the bytes: a text file is no image, a WAV header no image either.
      ("t.jsonl", "{\"prompt\": \"a\", \"images\": [\"t.jsonl\"]}\n", 1, "images[0]", "PNG, JPEG, WEBP, GIF"),
      (
        "b.jsonl", "{\"prompt\": \"a\", \"images\": [{\"base64\": \"UklGRgAAAABXQVZF\"}]}\n", 1,
        "images[0].base64", "convert other formats"
      ),
      (
        "n.jsonl", "{\"prompt\": \"a\", \"audio\": [{\"base64\": \"@@@\"}]}\n", 1, "audio[0].base64",
        "base64 -w0"
      ),
      (
        "k.jsonl", "{\"prompt\": \"a\", \"images\": [{\"path\": \"x.png\", \"size\": 3}]}\n", 1, "images[0]",
        "optionally detail"
      ),
      (
        "u.jsonl", "{\"prompt\": \"a\", \"audio\": [{\"url\": \"https://a/b.wav\", \"detail\": \"low\"}]}\n",
        1,
        "audio[0].detail", "leave it out"
      ),
      (
        "d.jsonl", "{\"id\": \"x\", \"prompt\": \"a\"}\n{\"id\": \"x\", \"prompt\": \"b\"}\n", 2, "id",
        "its own id"
      ),
      ("s.jsonl", "{\"prompt\": \"a\"}\n{\"prompt\": \"b\",}\n", 2, nil, "one JSON object"),
      ("j.json", "[\n  {\"prompt\": \"a\"},\n  {\"prompt\" \"b\"}\n]", 3, nil, "correct the JSON"),
      (
        "k.json", "[\n  {\"prompt\": \"a\"},\n\n  {\"prompt\": \"b\", \"tags\": {\"x\": 1}}\n]", 4, "tags",
        "found an object"
      ),
      ("y.yaml", "- prompt: a\n- prompt: b\n  extra: 1\n", 2, "extra", "known fields"),
      ("x.yaml", "- prompt: a\n-prompt: [\n", 2, nil, "correct the YAML"),
      ("c.csv", "prompt,colour\nhi,red\n", 1, "colour", "known columns"),
      ("e.csv", "prompt,expected\nhi,there,extra\n", 2, nil, "quote cells"),
    ] as [(String, String, Int, String?, String)])
  func located(name: String, text: String, line: Int, field: String?, fix: String) throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let issue = try #require(try folder.issue(name, text))
    #expect(issue.line == line, "\(issue)")
    #expect(issue.field == field, "\(issue)")
    #expect(issue.description.contains(fix), "\(issue)")
    #expect(issue.description.hasPrefix(issue.file + ":\(line)"))
  }

  @Test("attachments resolve relative to the dataset; URLs pass through; objects give base64 and detail")
  func attachments() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    // A GIF header is ASCII: enough for the format check made when the dataset is read.
    _ = try folder.write("cat.gif", "GIF89a\u{1}\0\u{1}\0")
    let gif = Data("GIF89a".utf8).base64EncodedString()
    let cases = try folder.cases(
      "i.jsonl",
      #"{"prompt": "What is this?", "images": ["cat.gif", "https://example.com/dog.jpg", "#
        + #"{"path": "cat.gif", "detail": "low"}, {"base64": "\#(gif)", "detail": "high"}]}"#)
    let path = folder.url.appendingPathComponent("cat.gif").standardizedFileURL.path
    #expect(
      cases.first?.attachments == [
        Attachment(kind: .image, location: path),
        Attachment(kind: .image, location: "https://example.com/dog.jpg"),
        Attachment(kind: .image, location: path, detail: "low"),
        Attachment(kind: .image, location: "data:;base64,\(gif)", detail: "high"),
      ])
  }

  @Test("every example dataset reads without an issue; the media examples' files are what they claim")
  func examples() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("examples/datasets")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".") }
      .sorted()
    #expect(names.count >= 7, "\(names)")
    var attachments: [LTBCore.Attachment] = []
    for name in names {
      let path = folder.appendingPathComponent(name).path
      var found: [LTBCore.Attachment] = []
      let (count, issues) = try DatasetFile.open(path).validate { (testCase: TestCase) in
        found += testCase.attachments
      }
      attachments += found
      #expect(count > 0 && issues.isEmpty, "\(name): \(issues)")
    }
    #expect(attachments.filter { $0.kind == .image }.count == 3)
    #expect(attachments.filter { $0.kind == .audio }.count == 2)
    for attachment in attachments {
      #expect(FileManager.default.isReadableFile(atPath: attachment.location), "\(attachment.location)")
    }
  }

  @Test("a bad case does not stop the others; validation counts both")
  func continuesAfterIssues() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let path = try folder.write("v.jsonl", "{\"prompt\": \"a\"}\n{\"nope\": 1}\n{\"prompt\": \"c\"}\n")
    let (count, issues) = try DatasetFile.open(path).validate()
    #expect(count == 2)
    #expect(issues.map(\.line) == [2])
    let statistics = try DatasetStatistics(file: try DatasetFile.open(path))
    #expect(statistics.cases == 2)
    #expect(statistics.invalidCases == 1)
  }

  @Test("statistics count categories, tags, sizes and contents")
  func statistics() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let path = try folder.write(
      "s.jsonl",
      """
      {"prompt": "abcd", "category": "x", "tags": ["t1"], "expected": "e", "assertions": [{"type": "equals", "value": "e"}]}
      {"prompt": "abcdefgh", "category": "x", "tags": ["t1", "t2"], "references": ["r"], "context": ["c"]}
      {"messages": [{"role": "user", "content": "ab"}], "category": "y"}
      """)
    let statistics = try DatasetStatistics(file: try DatasetFile.open(path))
    #expect(statistics.cases == 3)
    #expect(statistics.categories == ["x": 2, "y": 1])
    #expect(statistics.tags == ["t1": 2, "t2": 1])
    #expect(statistics.withExpected == 1)
    #expect(statistics.withReferences == 1)
    #expect(statistics.withContext == 1)
    #expect(statistics.conversations == 1)
    #expect(statistics.assertions == 1)
    #expect(statistics.minimum == 2)
    #expect(statistics.maximum == 8)
    #expect(statistics.estimatedPromptTokens == 1 + 2 + 1)
  }

  @Test("JSONL is read line by line: a 200,000-line file streams with a small buffer")
  func streaming() throws {
    let folder = try DatasetFolder()
    defer { folder.remove() }
    let path = folder.url.appendingPathComponent("big.jsonl").path
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    var chunk = ""
    for index in 0..<200_000 {
      chunk += #"{"id": "c\#(index)", "prompt": "Question \#(index)?"}"# + "\n"
      if index % 10_000 == 9_999 {
        handle.write(Data(chunk.utf8))
        chunk = ""
      }
    }
    try handle.close()
    let file = try DatasetFile.open(path)
    var iterator = try file.makeCaseIterator()
    var count = 0
    var last: TestCase?
    while let next = iterator.next() {
      last = try next.get().testCase
      count += 1
    }
    #expect(count == 200_000)
    #expect(last?.id == "c199999")
  }
}

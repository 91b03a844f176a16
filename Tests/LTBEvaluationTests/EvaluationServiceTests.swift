import Foundation
import LTBCore
import LTBStorage
import Testing

@testable import LTBEvaluation

/// Sessions evaluated end to end on a real SQLite file: verdicts stored, the cache's hit rate on
/// re-evaluation, model profiles and recommendations, regressions, and every report format.
@Suite("Evaluating sessions")
struct EvaluationServiceTests {
  /// A migrated store in a temporary SQLite file.
  static func withStore<T>(_ body: (SQLBenchStore) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-eval-\(UUID().uuidString).sqlite"
    ).path
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    defer {
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    do {
      let value = try await body(store)
      await store.close()
      return value
    } catch {
      await store.close()
      throw error
    }
  }

  static let cases: [(id: String, prompt: String, expected: String)] =
    [
      ("france", "Capital of France?", "Paris"), ("japan", "Capital of Japan?", "Tokyo"),
      ("italy", "Capital of Italy?", "Rome"), ("spain", "Capital of Spain?", "Madrid"),
      ("pipe|<b>id</b>", "Capital of Peru?", "Lima"),
    ] + (1...7).map { ("city-\($0)", "Capital number \($0)?", "City\($0)") }

  /// A session of `model` answering the cases (right when `right(index)`), with two repeats.
  static func session(
    _ store: SQLBenchStore, model: String, latency: Double = 100, right: (Int) -> Bool
  ) async throws -> UUID {
    let suite = BenchmarkSuite(
      name: "eval-\(model)", datasets: [], targets: [BenchmarkTarget(provider: "local", model: model)],
      assertions: [["type": "icontains", "value": "capital"]])
    let session = BenchmarkSession(name: suite.name, status: .completed, suite: suite)
    try await store.createSession(session)
    var results: [BenchmarkResult] = []
    for (index, item) in cases.enumerated() {
      for repeatIndex in 0..<2 {
        let answer =
          right(index)
          ? "The capital is \(item.expected)."
          : "I think it is <script>alert(\"x\")</script>, somewhere, \"far\"\naway."
        results.append(
          BenchmarkResult(
            sessionID: session.id, taskKey: "\(item.id)/\(repeatIndex)", testID: item.id, dataset: "capitals",
            provider: "local", model: model, repeatIndex: repeatIndex, status: .success, prompt: item.prompt,
            response: answer,
            timing: RequestTiming(
              contentEventOffsetsNanos: [20_000_000, Int64(latency * 1e6)],
              endOffsetNanos: Int64(latency * 1e6)),
            usage: Usage(inputTokens: 10, outputTokens: 6), cost: Cost(input: 0.001, output: 0.002),
            expectations: CaseExpectations(
              expected: item.expected,
              assertions: [
                ["type": "icontains", "value": .string(item.expected)], ["type": "coherence"],
              ] + suite.assertions)))
      }
    }
    try await store.insertResults(results)
    return session.id
  }

  static func service(_ store: SQLBenchStore, judge: ScriptedJudge) -> EvaluationService {
    let settings = JudgeSettings(provider: judge)
    return EvaluationService(
      store: store,
      evaluators: EvaluationService.standardEvaluators(judge: settings, embedding: judge),
      judge: settings.label)
  }

  @Test("a session is scored, stored, and re-scored from the cache")
  func evaluateAndCache() async throws {
    try await Self.withStore { store in
      let id = try await Self.session(store, model: "m1") { $0 != 1 }
      let judge = ScriptedJudge([], fallback: #"{"reasoning": "Clear.", "score": 4}"#)
      let first = try await Self.service(store, judge: judge).evaluateSession(id)
      let group = try #require(first.groups.first)
      #expect(group.evaluated == 24)
      #expect(group.pass == 22 && group.fail == 2 && group.error == 0)
      #expect(abs((group.metrics["icontains"]?.passRate ?? 0) - 22.0 / 24) < 1e-12)
      #expect(group.metrics["coherence"]?.mean == 0.75)
      #expect(group.judgeCalls == 12, "one call per distinct answer: each repeat waits for its twin")
      #expect(abs(group.judgeCost - 12) < 1e-9 && abs(group.modelCost - 0.072) < 1e-9)
      #expect(first.cache.sharedHits + first.cache.memoryHits == 12)
      let records = try await store.evaluations(session: id)
      #expect(records.count == 72)
      #expect(Set(records.map(\.metric)) == ["icontains", "coherence", "icontains#2"])
      let row = try #require(try await store.results(ResultQuery(sessionID: id, limit: 1)).items.first)
      #expect(row.evaluationScores["coherence"] == 0.75)
      // Re-evaluating in a new process (a fresh service, so an empty memory cache) reads the table.
      let again = try await Self.service(store, judge: judge).evaluateSession(id)
      #expect(again.cache.misses == 0)
      #expect(again.cache.hitRate == 1)
      #expect(judge.requests.count == 12, "the judge was not asked again")
      // Each grading's own counts are stored with the session, and read back with it: the
      // first's misses are gone once the second has graded.
      #expect(first.cache.misses == 12 && first.run?.cache == first.cache)
      let stored = try await SessionEvaluation.load(session: id, store: store)
      #expect(stored.cache == again.cache && stored.cache.hits == 24 && stored.cache.misses == 0)
      #expect(stored.run?.graded == 24 && stored.run?.judge == "scripted/judge-1")
      let profiles = try await store.modelProfiles()
      #expect(profiles.count == 1)
      #expect(abs((profiles.first?.quality["icontains"]?.mean ?? 0) - 22.0 / 24) < 1e-12)
      #expect(profiles.first?.latency["p50"] == 100)
      #expect(abs((profiles.first?.costPer1kTokens ?? 0) - 0.1875) < 1e-9)
    }
  }

  @Test("pairwise against another target of the session compares the two answers to each case, both orders")
  func pairwiseAgainstModel() async throws {
    try await Self.withStore { store in
      let suite = BenchmarkSuite(
        name: "pair", datasets: [], targets: [BenchmarkTarget(provider: "local", model: "a")])
      let session = BenchmarkSession(name: "pair", status: .completed, suite: suite)
      try await store.createSession(session)
      let pairwise: JSONValue = ["type": "pairwise", "against-model": "local/b"]
      func result(_ model: String, _ answer: String, _ assertions: [JSONValue]) -> BenchmarkResult {
        BenchmarkResult(
          sessionID: session.id, taskKey: model, testID: "q", dataset: "d", provider: "local", model: model,
          status: .success, prompt: "Capital of France?", response: answer,
          expectations: CaseExpectations(assertions: assertions))
      }
      let mine = result("a", "Paris.", [pairwise])
      try await store.insertResults([mine, result("b", "Lyon, probably.", [])])
      let judge = ScriptedJudge([
        #"{"reasoning": "A is right", "winner": "A"}"#, #"{"reasoning": "B is right", "winner": "B"}"#,
      ])
      let service = Self.service(store, judge: judge)
      let (records, verdict) = await service.evaluate(try #require(try await store.result(mine.id)))
      #expect(records.first?.score == 1)
      #expect(verdict?.verdict == .pass)
      #expect(judge.requests.count == 2)
      #expect(judge.requests[0].messages[0].text.contains("Answer A:\nParis.\n\nAnswer B:\nLyon, probably."))
      #expect(judge.requests[1].messages[0].text.contains("Answer A:\nLyon, probably.\n\nAnswer B:\nParis."))
      // A target that is not in the session leaves nothing to compare with: unavailable.
      let lonely = result("c", "Paris.", [["type": "pairwise", "against-model": "local/zzz"]])
      try await store.insertResults([lonely])
      let (lonelyRecords, _) = await service.evaluate(lonely)
      #expect(lonelyRecords.first?.state == .unavailable)
    }
  }

  @Test("the cheapest model that clears the bar with confidence is recommended")
  func optimize() {
    func profile(_ model: String, mean: Double, low: Double, cost: Double?) -> ModelProfile {
      ModelProfile(
        provider: "p", model: model,
        quality: ["case": .init(mean: mean, low: low, high: mean + 0.05, count: 50)],
        latency: ["p50": cost ?? 1], costPer1kTokens: cost, sampleCount: 50)
    }
    let profiles = [
      profile("big", mean: 0.95, low: 0.9, cost: 10), profile("small", mean: 0.85, low: 0.8, cost: 1),
      profile("lucky", mean: 0.9, low: 0.6, cost: 0.1), profile("free", mean: 0.99, low: 0.98, cost: nil),
    ]
    let cheapest = ModelProfiler.recommend(profiles, minimumQuality: 0.75)
    #expect(cheapest.profile?.model == "small")
    #expect(cheapest.rejected["p/lucky"]?.contains("lower end") == true)
    #expect(cheapest.rejected["p/free"]?.contains("no price") == true)
    #expect(ModelProfiler.recommend(profiles, minimumQuality: 0.85).profile?.model == "big")
    #expect(ModelProfiler.recommend(profiles, minimumQuality: 0.85, byLatency: true).profile?.model == "free")
    #expect(ModelProfiler.recommend(profiles, minimumQuality: 0.99).profile == nil)
  }

  @Test("every report format is produced, parses, and escapes what it shows")
  func reports() async throws {
    try await Self.withStore { store in
      let id = try await Self.session(store, model: "m1") { $0 != 1 }
      _ = try await Self.service(
        store, judge: ScriptedJudge([], fallback: #"{"reasoning": "<script>alert(1)</script>", "score": 2}"#)
      )
      .evaluateSession(id)
      let data = try await ReportData.load(session: id, store: store)
      // JSON: every response with its verdict.
      let json = try JSONValue.parse(ReportFormat.json.render(data))
      #expect(json["responses"]?.arrayValue?.count == 24)
      #expect(json["evaluation"]?["groups"]?.arrayValue?.first?["fail"] == 24)
      // CSV: a header and ten rows of equal width, quoted fields round-trip.
      let rows = CSVTestParser.parse(ReportFormat.csv.render(data))
      #expect(rows.count == 25)
      #expect(Set(rows.map(\.count)).count == 1)
      #expect(rows[0].contains("coherence"))
      #expect(rows.contains { $0.contains("pipe|<b>id</b>") })
      // JUnit: Python's XML parser reads one test case per case × model.
      struct JUnit: Decodable {
        struct Suite: Decodable {
          struct Case: Decodable {
            var name: String
            var outcome: String
          }
          var name: String
          var tests: Int
          var failures: Int
          var cases: [Case]
        }
        var root: String
        var suites: [Suite]
      }
      let junit = try PythonReference.run(
        "junit_check.py", input: ["xml": ReportFormat.junit.render(data)], as: JUnit.self)
      #expect(junit.root == "testsuites")
      #expect(junit.suites.first?.name == "local/m1")
      #expect(junit.suites.first?.tests == 12)
      #expect(junit.suites.first?.failures == 12, "coherence 2/5 fails every case")
      #expect(junit.suites.first?.cases.map(\.name).sorted() == Self.cases.map(\.id).sorted())
      // Markdown: a table that survives a pipe in a case id.
      let markdown = ReportFormat.markdown.render(data)
      #expect(markdown.contains("| local/m1 | 0 | 24 | 0 |"))
      #expect(markdown.contains("pipe\\|&lt;b&gt;id&lt;/b&gt;"))
      // HTML: self-contained, no scripts, every value escaped.
      let html = ReportFormat.html.render(data)
      #expect(html.hasPrefix("<!DOCTYPE html>"))
      #expect(!html.lowercased().contains("<script"))
      #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
      #expect(html.contains("pipe|&lt;b&gt;id&lt;/b&gt;") && !html.contains("<b>id"))
      #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
      #expect(html.components(separatedBy: "<svg").count - 1 >= 3)
      #expect(html.contains("judge cost"))
    }
  }

  @Test(
    "labels graded across a session: accuracy, macro-F1 and the confusion matrix, in the evaluation and the reports"
  )
  func classifications() async throws {
    try await Self.withStore { store in
      let suite = BenchmarkSuite(
        name: "emotions", datasets: [], targets: [BenchmarkTarget(provider: "local", model: "listener")])
      let session = BenchmarkSession(name: suite.name, status: .completed, suite: suite)
      try await store.createSession(session)
      let answers: [(expected: String, said: String)] = [
        ("happy", "Happy."), ("happy", "sad"), ("sad", "The speaker sounds sad"), ("sad", "sad"),
        ("angry", "I cannot tell."), ("angry", #"{"label": "angry"}"#),
      ]
      let results = answers.enumerated().map { index, answer in
        BenchmarkResult(
          sessionID: session.id, taskKey: "clip-\(index)", testID: "clip-\(index)", dataset: "clips",
          provider: "local", model: "listener", status: .success, prompt: "Which emotion?",
          response: answer.said,
          expectations: CaseExpectations(expected: answer.expected, assertions: [["type": "emotion"]]))
      }
      try await store.insertResults(results)
      let evaluation = try await Self.service(store, judge: ScriptedJudge([], fallback: "{}"))
        .evaluateSession(
          session.id)
      let summary = try #require(evaluation.groups.first?.classifications["emotion"])
      #expect(
        summary
          == ClassificationSummary(pairs: [
            ("happy", "happy"), ("happy", "sad"), ("sad", "sad"), ("sad", "sad"), ("angry", nil),
            ("angry", "angry"),
          ]))
      #expect(summary.labels == ["(none)", "angry", "happy", "sad"] && summary.count == 6)
      #expect(summary.matrix == [[0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 2]])
      #expect(abs(summary.accuracy - 4.0 / 6) < 1e-12)
      #expect(abs(summary.macroF1 - (0 + 2.0 / 3 + 2.0 / 3 + 0.8) / 4) < 1e-12)
      // Read back from the store as the reports read it.
      let data = try await ReportData.load(session: session.id, store: store)
      #expect(data.evaluation.groups.first?.classifications["emotion"] == summary)
      let markdown = ReportFormat.markdown.render(data)
      #expect(
        markdown.contains("**local/listener · emotion**: accuracy 0.667, macro-F1 0.533 over 6 answers"))
      #expect(markdown.contains("| sad | 0 | 0 | 0 | 2 |"), "\(markdown)")
      let html = ReportFormat.html.render(data)
      #expect(html.contains("<table class=\"confusion\">") && html.contains("macro-F1 0.533"))
      let json = try JSONValue.parse(ReportFormat.json.render(data))
      #expect(json["evaluation"]?["groups"]?[0]?["classifications"]?["emotion"]?["count"] == 6)
    }
  }

  @Test("a constructed regression is found; the same answers again are not one")
  func regression() async throws {
    try await Self.withStore { store in
      let judge = ScriptedJudge([], fallback: #"{"reasoning": "ok", "score": 4}"#)
      let baseline = try await Self.session(store, model: "base") { _ in true }
      let noise = try await Self.session(store, model: "same") { _ in true }
      let worse = try await Self.session(store, model: "worse", latency: 400) { $0 == 0 }
      for id in [baseline, noise, worse] {
        _ = try await Self.service(store, judge: judge).evaluateSession(id)
      }
      let same = SessionComparison(
        try await SessionComparison.side(session: baseline, store: store),
        try await SessionComparison.side(session: noise, store: store))
      #expect(same.regressions(margin: 0.02, relativeMargin: 0.1).isEmpty)
      let regressed = SessionComparison(
        try await SessionComparison.side(session: baseline, store: store),
        try await SessionComparison.side(session: worse, store: store))
      let names = regressed.regressions(margin: 0.02, relativeMargin: 0.1).map(\.name)
      #expect(names.contains("latency_ms"))
      #expect(abs((regressed.metrics.first { $0.name == "icontains" }?.passRateB ?? 0) - 1.0 / 12) < 1e-12)
      #expect(names.contains("case"))
      #expect(regressed.pairedCases == 12)
    }
  }
}

/// A minimal RFC 4180 reader, to check what the CSV report wrote.
enum CSVTestParser {
  static func parse(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var characters = Array(text)[...]
    while let character = characters.popFirst() {
      if quoted {
        if character == "\"" {
          if characters.first == "\"" {
            field.append("\"")
            characters.removeFirst()
          } else {
            quoted = false
          }
        } else {
          field.append(character)
        }
      } else if character == "\"" {
        quoted = true
      } else if character == "," {
        row.append(field)
        field = ""
      } else if character == "\r\n" || character == "\n" {
        row.append(field)
        rows.append(row)
        row = []
        field = ""
      } else {
        field.append(character)
      }
    }
    if !field.isEmpty || !row.isEmpty { rows.append(row + [field]) }
    return rows
  }
}

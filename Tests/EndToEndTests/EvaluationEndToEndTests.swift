import Foundation
import LTBCore
import LTBEvaluation
import LTBStorage
import Testing

/// Evaluation against the real local model (SmolLM2-135M served by llama.cpp) and through the
/// built `ltb`: SmolLM2 is a weak judge, so these assert the pipeline, the JSON contract, the
/// stored reasoning and spend, not the wisdom of its verdicts.
@Suite("Evaluation end to end", .serialized)
struct EvaluationEndToEndTests {
  static let input = EvaluationInput(
    testID: "france", prompt: "What is the capital of France?", response: "The capital of France is Paris.",
    expected: "Paris", references: ["Paris"], context: ["Paris is the capital and largest city of France."])

  @Test(
    "the real model judges through the strict-JSON pipeline: a verdict on the 1–5 scale, reasoning and tokens kept"
  )
  func realJudge() async throws {
    try await LocalModel.withProvider { provider in
      let judge = JudgeEvaluator(settings: JudgeSettings(provider: provider, model: "smollm2-135m-instruct"))
      for type in ["answer-relevance", "coherence", "factuality"] {
        let outcome = await judge.evaluate(
          try AssertionSpec(parsing: ["type": .string(type)], location: type), Self.input)
        #expect(outcome.state == .scored, "\(type): \(outcome.explanation)")
        let allowed: Set<Double> = type == "factuality" ? [0, 0.5, 1] : [0, 0.25, 0.5, 0.75, 1]
        #expect(allowed.contains(outcome.score ?? -1), "\(type): \(outcome.score ?? -1)")
        let usage = try #require(outcome.judge)
        #expect(usage.calls >= 1 && usage.inputTokens > 50 && usage.outputTokens > 0)
        #expect(usage.provider == "llamacpp")
        let sample = try #require(outcome.details?["samples"]?.arrayValue?.first)
        #expect(sample["reasoning"]?.stringValue != nil, "the judge's reasoning is kept")
      }
      let faithfulness = await judge.evaluate(
        try AssertionSpec(parsing: ["type": "faithfulness"], location: "f"), Self.input)
      #expect(faithfulness.state == .scored || faithfulness.state == .error, "\(faithfulness.explanation)")
      if faithfulness.state == .scored {
        let claims = faithfulness.details?["samples"]?.arrayValue?.first?["claims"]?.arrayValue ?? []
        let supported = claims.filter { $0["supported"] == true }.count
        #expect(
          claims.isEmpty || abs((faithfulness.score ?? -1) - Double(supported) / Double(claims.count)) < 1e-12
        )
      } else {
        #expect(faithfulness.score == nil, "an error never carries a score")
        // SmolLM2 may answer a claim list it cannot verify; that is the model's weakness. A
        // pipeline failure (no reply at all: transport, request or prompt errors) is the
        // code's, and fails here.
        let usage = faithfulness.judge
        #expect(
          (usage?.calls ?? 0) >= 1 && (usage?.outputTokens ?? 0) > 0,
          "the judge replied before its verdict was refused: \(faithfulness.explanation)")
        #expect(
          faithfulness.explanation.hasPrefix("the judge gave no usable verdict"),
          "\(faithfulness.explanation)")
      }
    }
  }

  @Test(
    "embedding similarity uses llama.cpp's real embeddings: a paraphrase is closer than an unrelated sentence"
  )
  func realEmbeddings() async throws {
    try await LocalModel.withProvider { provider in
      let evaluator = EmbeddingSimilarityEvaluator(provider: provider, model: nil)
      var input = Self.input
      input.response = "Paris is the capital city of France."
      let probe = AssertionSpec(type: "embedding-similarity", value: "The capital of France is Paris.")
      let related = await evaluator.evaluate(probe, input)
      input.response = "Bananas are a yellow fruit rich in potassium."
      let unrelated = await evaluator.evaluate(probe, input)
      #expect(related.state == .scored && unrelated.state == .scored)
      let values = "related \(related.value ?? -1), unrelated \(unrelated.value ?? -1)"
      #expect((related.value ?? 0) > (unrelated.value ?? 1) + 0.1, "\(values)")
      #expect((-1...1).contains(related.value ?? 2) && (-1...1).contains(unrelated.value ?? 2))
      // A threshold between the two passes the paraphrase and fails the unrelated sentence.
      let middle = ((related.value ?? 0) + (unrelated.value ?? 0)) / 2
      let spec = AssertionSpec(
        type: "embedding-similarity", value: "The capital of France is Paris.", threshold: middle)
      input.response = "Paris is the capital city of France."
      #expect(await evaluator.evaluate(spec, input).passed == true, "\(values)")
      input.response = "Bananas are a yellow fruit rich in potassium."
      #expect(await evaluator.evaluate(spec, input).passed == false, "\(values)")
      let vectors = try await provider.embed(["a", "b"], model: nil)
      #expect(abs(EmbeddingSimilarityEvaluator.cosine(vectors[0], vectors[0]) - 1) < 1e-9)
    }
  }

  @Test("ltb compare --models runs two models on a dataset and compares them; ltb optimize recommends")
  func compareModelsAndOptimize() throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("compare.sqlite").path
    let dataset = directory.appendingPathComponent("cases.jsonl")
    try Data(
      (["France:Paris", "Japan:Tokyo", "Italy:Rome", "Spain:Madrid"].map { pair in
        let parts = pair.split(separator: ":")
        return
          #"{"id": "\#(parts[0])", "prompt": "What is the capital of \#(parts[0])?", "expected": "\#(parts[1])", "assertions": [{"type": "icontains", "value": "\#(parts[1])"}]}"#
      }.joined(separator: "\n") + "\n").utf8
    ).write(to: dataset)
    // A second provider name for the same local server: two "models" to compare.
    let environment = [
      "LTB_PROVIDERS__SMOL__TYPE": "llamacpp", "LTB_PROVIDERS__SMOL__BASE_URL": LocalModel.url,
      "LTB_PROVIDERS__SMOL__DEFAULT_MODEL": "smollm2-135m-instruct",
    ]
    let compare = try CommandLineTests.run(
      [
        "compare", "--models", "llamacpp/smollm2-135m-instruct,smol/smollm2-135m-instruct", "--dataset",
        dataset.path,
        "--metrics", "rouge-l", "--database", database, "--json",
      ], environment: environment)
    #expect(compare.status == 0, "\(compare.stderr)")
    let comparison = try JSONValue.parse(Data(compare.stdout.utf8))
    #expect(comparison["pairedCases"] == 4)
    #expect(comparison["labelA"] == "llamacpp/smollm2-135m-instruct")
    let names = Set(comparison["metrics"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
    #expect(
      names.isSuperset(of: ["case", "icontains", "rouge-l", "latency_ms", "output_tokens"]), "\(names)")
    // The same model at temperature 0 gives the same answers: no significant difference in quality.
    let rouge = comparison["metrics"]?.arrayValue?.first { $0["name"] == "rouge-l" }
    #expect(rouge?["verdict"] == "no significant difference")
    let optimize = try CommandLineTests.run([
      "optimize", "--min-quality", "0", "--fastest", "--database", database, "--json",
    ])
    #expect(optimize.status == 0, "\(optimize.stderr)")
    let recommendation = try JSONValue.parse(Data(optimize.stdout.utf8))
    #expect(recommendation["profiles"]?.arrayValue?.count == 2)
    #expect(recommendation["recommendation"]?["qualifying"]?.arrayValue?.count == 2)
    let strict = try CommandLineTests.run(["optimize", "--min-quality", "1", "--database", database])
    #expect(strict.status == 1, "no model reaches a perfect lower bound on four cases")
    #expect(strict.stdout.contains("lower end"))
  }

  @Test("perplexity on the real model is exp(−mean logprob) of the logprobs the server returned")
  func realPerplexity() async throws {
    try await LocalModel.withProvider { provider in
      let request = CompletionRequest(
        model: "smollm2-135m-instruct", messages: [Message(role: .user, text: "Name a color.")],
        parameters: SamplingParameters(temperature: 0, maxTokens: 12), logprobs: 1)
      let response = try await provider.complete(request)
      let logprobs = try #require(response.logprobs)
      #expect(logprobs.count == response.usage.outputTokens, "one logprob per generated token")
      #expect(logprobs.allSatisfy { $0.logprob <= 0 })
      var input = Self.input
      input.response = response.text
      input.logprobs = logprobs
      let outcome = await SignalEvaluator().evaluate(AssertionSpec(type: "perplexity"), input)
      let expected = exp(-logprobs.map(\.logprob).reduce(0, +) / Double(logprobs.count))
      #expect(outcome.state == .scored)
      #expect(abs((outcome.value ?? 0) - expected) < 1e-9)
      #expect((outcome.value ?? 0) >= 1)
    }
  }

  @Test(
    "ltb bench grades with assertions, a judge and perplexity; ltb eval re-scores from the cache; reports render"
  )
  func benchEvalReport() throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let database = "sqlite:" + directory.appendingPathComponent("eval.sqlite").path
    let dataset = directory.appendingPathComponent("cases.jsonl")
    try Data(
      """
      {"id": "france", "prompt": "What is the capital of France?", "expected": "Paris", "context": ["Paris is the capital of France."], "assertions": [{"type": "icontains", "value": "paris"}, {"type": "perplexity"}]}
      {"id": "color", "prompt": "Name one color.", "assertions": [{"type": "word-count", "min": 1, "max": 60}, {"type": "not-contains", "value": "<script>"}]}

      """.utf8
    ).write(to: dataset)
    let suite = directory.appendingPathComponent("suite.yaml")
    try Data(
      """
      name: eval-e2e
      datasets: [cases.jsonl]
      targets: [{ provider: llamacpp, model: smollm2-135m-instruct, parameters: { temperature: 0, max_tokens: 24 } }]
      repeats: 2
      judge: { provider: llamacpp, model: smollm2-135m-instruct }
      assertions:
        - { type: answer-relevance, weight: 0.5 }
        - { type: latency, threshold: 20000 }

      """.utf8
    ).write(to: suite)
    let bench = try CommandLineTests.run(["bench", suite.path, "--database", database])
    #expect(bench.status == 0, "\(bench.stderr)")
    #expect(bench.stdout.contains("4 responses evaluated"), "\(bench.stdout)")
    #expect(bench.stdout.contains("answer-relevance"))
    #expect(bench.stdout.contains("perplexity"))
    let session = try #require(BenchCommandTests.sessionID(in: bench.stderr))
    // Re-scoring reads every judge verdict from the cache.
    let eval = try CommandLineTests.run([
      "eval", session, "--database", database, "--metrics", "bleu,rouge-l", "--json",
    ])
    #expect(eval.status == 0, "\(eval.stderr)")
    let evaluation = try JSONValue.parse(Data(eval.stdout.utf8))
    #expect((evaluation["cache"]?["misses"]?.intValue ?? -1) == 0)
    let hits = ["storeHits", "memoryHits", "sharedHits"].map { evaluation["cache"]?[$0]?.intValue ?? 0 }
    #expect(hits.reduce(0, +) >= 4, "every judge verdict came from the cache: \(hits)")
    #expect(hits[0] >= 1, "from the table, across processes")
    let group = try #require(evaluation["groups"]?.arrayValue?.first)
    #expect(group["evaluated"] == 4)
    #expect(group["metrics"]?["perplexity"]?["count"] == 2)
    #expect(group["metrics"]?["bleu"]?["unavailable"] == 2, "the color case has no reference")
    #expect((group["judgeCalls"]?.intValue ?? 0) == 0, "cached verdicts cost nothing")
    // The real session against itself: compared pair by pair, and no regression.
    let same = try CommandLineTests.run([
      "analyze", "--baseline", session, "--candidate", session, "--fail-on-regression", "--database",
      database,
    ])
    #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
    #expect(same.stdout.contains("2 paired cases"))
    #expect(same.stdout.contains("no significant regression"))
    // Every report format.
    for format in ["json", "csv", "junit", "markdown", "html"] {
      let path = directory.appendingPathComponent("report.\(format)").path
      let report = try CommandLineTests.run([
        "report", session, "--database", database, "--format", format, "--output", path,
      ])
      #expect(report.status == 0, "\(format): \(report.stderr)")
      #expect(
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) > 200, "\(format)")
    }
    let junit = try Shell.run(
      "/usr/bin/python3",
      [
        "-c",
        "import sys, xml.etree.ElementTree as ET; r = ET.parse(sys.argv[1]).getroot(); print(len(r.findall('.//testcase')), r.get('tests'))",
        directory.appendingPathComponent("report.junit").path,
      ])
    #expect(junit.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2 2", "\(junit)")
    // Headless Chromium renders the HTML report: the charts and the matrix are in the page.
    let dom = try Shell.run(
      "/usr/bin/chromium",
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
        "file://" + directory.appendingPathComponent("report.html").path,
      ])
    #expect(dom.status == 0, "\(dom.stderr)")
    #expect(dom.stdout.contains("<svg"))
    #expect(dom.stdout.contains("Cases × models"))
    #expect(dom.stdout.contains("llamacpp/smollm2-135m-instruct"))
  }

  @Test("ltb analyze --fail-on-regression exits 2 on a constructed regression and 0 on noise")
  func analyzeExitCodes() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("analyze.sqlite").path
    let store = try await SQLBenchStore.open(.sqlite(path: path))
    var generator = SeededGenerator(seed: 8)
    func session(_ name: String, quality: Double, latency: Double) async throws -> String {
      let suite = BenchmarkSuite(name: name, datasets: [], targets: [BenchmarkTarget(provider: "llamacpp")])
      let session = BenchmarkSession(name: name, status: .completed, suite: suite)
      try await store.createSession(session)
      var results: [BenchmarkResult] = []
      var records: [EvaluationRecord] = []
      var cases: [CaseEvaluation] = []
      for index in 0..<40 {
        let wobble = Double.random(in: -0.02...0.02, using: &generator)
        let score = min(1, max(0, quality + Double(index % 5) / 20 + wobble))
        let milliseconds = latency * (1 + wobble)
        let result = BenchmarkResult(
          sessionID: session.id, taskKey: "\(index)", testID: "case-\(index)", dataset: "d",
          provider: "llamacpp",
          model: "m", status: .success, prompt: "q\(index)", response: "a\(index)",
          timing: RequestTiming(
            contentEventOffsetsNanos: [1_000_000, Int64(milliseconds * 1e6)],
            endOffsetNanos: Int64(milliseconds * 1e6)))
        results.append(result)
        records.append(
          EvaluationRecord(
            resultID: result.id, sessionID: session.id, testID: result.testID, metric: "answer-relevance",
            evaluator: "judge", evaluatorVersion: 1, state: .scored, score: score, passed: score >= 0.5,
            explanation: ""))
        cases.append(
          CaseEvaluation(
            resultID: result.id, sessionID: session.id, testID: result.testID,
            verdict: score >= 0.5 ? .pass : .fail,
            score: score, passed: score >= 0.5 ? 1 : 0, total: 1))
      }
      try await store.insertResults(results)
      try await store.saveEvaluations(records, cases: cases)
      return session.id.uuidString
    }
    let baseline = try await session("baseline", quality: 0.6, latency: 200)
    let noise = try await session("noise", quality: 0.6, latency: 200)
    let regressed = try await session("regressed", quality: 0.45, latency: 200)
    await store.close()
    let database = "sqlite:" + path
    let calm = try CommandLineTests.run([
      "analyze", "--baseline", baseline, "--candidate", noise, "--fail-on-regression", "--database", database,
    ])
    #expect(calm.status == 0, "\(calm.stdout)\(calm.stderr)")
    #expect(calm.stdout.contains("no significant regression"))
    let worse = try CommandLineTests.run([
      "analyze", "--baseline", baseline, "--candidate", regressed, "--fail-on-regression", "--database",
      database,
    ])
    #expect(worse.status == 2, "\(worse.stdout)\(worse.stderr)")
    #expect(worse.stdout.contains("REGRESSION in case, answer-relevance"))
    let report = try CommandLineTests.run([
      "analyze", "--baseline", baseline, "--candidate", regressed, "--database", database,
    ])
    #expect(report.status == 0, "without --fail-on-regression the verdict is only reported")
    let compare = try CommandLineTests.run(["compare", baseline, regressed, "--database", database, "--json"])
    let comparison = try JSONValue.parse(Data(compare.stdout.utf8))
    let relevance = comparison["metrics"]?.arrayValue?.first { $0["name"] == "answer-relevance" }
    #expect(relevance?["verdict"] == "worse")
    #expect((relevance?["mcnemarP"]?.doubleValue ?? 1) < 0.05)
  }
}

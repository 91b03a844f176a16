import Foundation
import LTBCore
import SQLKit
import Testing

@testable import LTBStorage

/// The evaluation tables on SQLite and on a real PostgreSQL server: verdicts replace earlier
/// ones, scores reach the results for filtering, the cache and the profiles round-trip, and a
/// result's logprobs and expectations survive storage.
@Suite("Evaluation storage")
struct EvaluationStoreTests {
  @Test(
    "the spec's columns are written: named scores, provider metadata, cache statistics; v_provider_performance averages them",
    arguments: StoreConformanceTests.dialects)
  func specColumns(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      var results = (1...2).map { Fixtures.result(session: session.id, index: $0) }
      results[0].providerMetadata = ProviderMetadata(
        endpoint: "https://api.example.org/v1", apiVersion: "2023-06-01", modelVersion: "m-2026-01-01",
        headers: ["x-request-id": "req_1", "x-region": "eu-west", "openai-processing-ms": "12.5"])
      let media = [
        MediaInput(
          kind: .image, source: .file, location: "receipts/r1.jpg", format: "jpeg", sizeBytes: 48_213,
          sha256: String(repeating: "ab", count: 32), width: 1_024, height: 768),
        MediaInput(
          kind: .audio, source: .base64, format: "flac", sizeBytes: 9_000,
          sha256: String(repeating: "cd", count: 32),
          durationSeconds: 2.5, sampleRate: 16_000, channels: 1),
      ]
      results[0].mediaInputs = media
      results[0].cost = Cost(
        input: 0.00002, output: 0.00004, image: 0.0019125, audio: 0.00208,
        media: MediaUsage(imageTokens: 765, audioTokens: 52, audioSeconds: 2.5, estimated: true))
      try await store.insertResults(results)
      let first = results[0].id
      let stored = try #require(try await store.result(first))
      #expect(stored.providerMetadata?.requestID == "req_1" && stored.providerMetadata?.region == "eu-west")
      #expect(stored.providerMetadata?.processingMilliseconds == 12.5)
      #expect(stored.mediaInputs == media)
      #expect(stored.cost == results[0].cost, "the cost's image and audio parts survive storage")
      let listed = try await store.resultRows(ResultQuery(sessionID: session.id), reading: [])
      #expect(listed.items.first { $0.id == first }?.cost == results[0].cost, "listings read it too")
      #expect(try await store.result(results[1].id)?.mediaInputs == nil)
      func record(_ index: Int, _ metric: String, score: Double, value: Double? = nil) -> EvaluationRecord {
        EvaluationRecord(
          resultID: results[index].id, sessionID: session.id, testID: results[index].testID, metric: metric,
          evaluator: "e", evaluatorVersion: 1, state: .scored, score: score, value: value, explanation: "")
      }
      try await store.saveEvaluations(
        [
          record(0, "faithfulness", score: 1), record(1, "faithfulness", score: 0.5),
          record(0, "answer-relevance", score: 0.75), record(1, "answer-relevance", score: 0.25),
          record(0, "coherence", score: 1), record(0, "perplexity", score: 0.2, value: 14.5),
        ], cases: [])
      let rows = try await store.connections.read { database in
        try await database.raw(
          """
          SELECT provider_name, total_requests, avg_faithfulness, avg_relevance FROM v_provider_performance
          """
        ).all()
      }
      #expect(rows.count == 1)
      let row = try #require(rows.first)
      #expect(try row.decode(column: "total_requests", as: Int.self) == 2)
      #expect(try row.decode(column: "avg_faithfulness", as: Double.self) == 0.75)
      #expect(try row.decode(column: "avg_relevance", as: Double.self) == 0.5)
      let named = try await store.connections.read { database in
        try await database.raw(
          """
          SELECT coherence_score, perplexity_score, provider_metadata IS NOT NULL AS has_metadata,
            cache_stats IS NOT NULL AS has_cache FROM results WHERE id = \(bind: first)
          """
        ).first()
      }
      #expect(try named?.decode(column: "coherence_score", as: Double.self) == 1)
      #expect(try named?.decode(column: "perplexity_score", as: Double.self) == 14.5)
      #expect(try named?.decode(column: "has_metadata", as: Bool.self) == true)
      #expect(try named?.decode(column: "has_cache", as: Bool.self) == true)
    }
  }

  @Test(
    "verdicts, case verdicts, cache entries and model profiles round-trip",
    arguments: StoreConformanceTests.dialects)
  func roundTrip(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      var result = Fixtures.result(session: session.id, index: 1)
      result.logprobs = [
        TokenLogprob(token: "Par", logprob: -0.25, topAlternatives: [.init(token: "Lon", logprob: -2)])
      ]
      result.expectations = CaseExpectations(
        expected: "Paris", references: ["Paris."], context: ["France's capital is Paris."],
        assertions: [["type": "icontains", "value": "paris"]])
      try await store.insertResults([result])
      #expect(try await store.result(result.id) == result)
      let judge = JudgeUsage(
        provider: "judge", model: "j1", inputTokens: 10, outputTokens: 5, cost: 0.01, calls: 1)
      var record = EvaluationRecord(
        resultID: result.id, sessionID: session.id, testID: result.testID, metric: "coherence",
        evaluator: "judge",
        evaluatorVersion: 1, state: .scored, score: 0.75, value: 0.75, passed: true, threshold: 0.5,
        explanation: "4/5: clear; it's \"quoted\" and 'single' — ünïcode",
        details: ["samples": [["score": 4]]],
        judge: judge)
      let failed = EvaluationRecord(
        resultID: result.id, sessionID: session.id, testID: result.testID, metric: "faithfulness",
        evaluator: "judge",
        evaluatorVersion: 1, state: .error, explanation: "the judge gave no usable verdict")
      let verdict = CaseEvaluation(
        resultID: result.id, sessionID: session.id, testID: result.testID, verdict: .error, score: 0.75,
        passed: 1,
        total: 2, reason: "faithfulness: the judge gave no usable verdict")
      try await store.saveEvaluations([record, failed], cases: [verdict])
      #expect(Set(try await store.evaluations(session: session.id)) == [record, failed])
      #expect(try await store.caseEvaluations(session: session.id) == [verdict])
      #expect(try await store.result(result.id)?.evaluationScores == ["coherence": 0.75])
      let filtered = try await store.results(
        ResultQuery(sessionID: session.id, minimumScore: ScoreThreshold(metric: "coherence", value: 0.7)))
      #expect(filtered.items.map(\.id) == [result.id])
      // Evaluating again replaces, never duplicates.
      record.score = 0.25
      record.passed = false
      try await store.saveEvaluations([record], cases: [])
      let stored = try await store.evaluations(session: session.id)
      #expect(stored.count == 2)
      #expect(stored.first { $0.metric == "coherence" }?.score == 0.25)
      // From the columns alone: the same verdicts without what only the records hold.
      let verdicts = try await store.verdicts(results: [result.id], details: false)
      #expect(verdicts.map(\.metric) == ["coherence", "faithfulness"])
      let wholes = try await store.evaluations(results: [result.id])
      #expect(verdicts.allSatisfy { $0.detail == nil })
      var withoutDetail = wholes.map(Verdict.init)
      for index in withoutDetail.indices { withoutDetail[index].detail = nil }
      #expect(verdicts == withoutDetail)
      #expect(try await store.verdicts(results: [result.id], details: true) == wholes.map(Verdict.init))
      #expect(
        try await store.verdicts(results: [result.id], details: true).last?.detail?.explanation
          == "the judge gave no usable verdict")
      #expect(verdicts.first?.passed == false && verdicts.last?.passed == nil && verdicts.last?.score == nil)
      #expect(try await store.verdicts(results: [], details: false) == [])
      // A page with its verdicts in one trip: the same as the two reads apart.
      let query = ResultQuery(sessionID: session.id)
      for parts: ResultRow.Parts in [[], .text, .labels, .all] {
        let alone = try await store.resultRows(query, reading: parts)
        for details in [true, false] {
          let loaded = try await store.resultRowsWithVerdicts(query, reading: parts, verdictDetails: details)
          #expect(loaded.page.items == alone.items && loaded.page.cursors == alone.cursors)
          #expect(loaded.verdicts == (try await store.verdicts(results: [result.id], details: details)))
        }
      }
      let none = try await store.resultRowsWithVerdicts(
        ResultQuery(sessionID: UUID()), reading: .all, verdictDetails: false)
      #expect(none.page.items.isEmpty && none.verdicts.isEmpty)

      #expect(try await store.cachedEvaluation(key: "k") == nil)
      try await store.storeCachedEvaluation(
        key: "k", evaluator: "judge", outcome: #"{"state":"scored","score":0.5}"#)
      try await store.storeCachedEvaluation(
        key: "k", evaluator: "judge", outcome: #"{"state":"scored","score":0.75}"#)
      #expect(try await store.cachedEvaluation(key: "k") == #"{"state":"scored","score":0.75}"#)

      var profile = ModelProfile(
        provider: "alpha", model: "m1", quality: ["case": .init(mean: 0.8, low: 0.7, high: 0.9, count: 40)],
        latency: ["p50": 120, "p95": 300], costPer1kTokens: 0.002, sampleCount: 40,
        updatedAt: Date(timeIntervalSince1970: 1_800_000_000))
      try await store.saveModelProfile(profile)
      profile.sampleCount = 41
      try await store.saveModelProfile(profile)
      #expect(try await store.modelProfiles() == [profile])
    }
  }
}

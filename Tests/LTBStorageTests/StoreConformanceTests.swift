import Foundation
import LTBCore
import Testing

@testable import LTBStorage

/// One conformance suite for the store, run on SQLite and on a real PostgreSQL server.
@Suite("BenchStore conformance")
struct StoreConformanceTests {
  static let dialects: [SQLDialectKind] = [.sqlite, .postgres]

  @Test(
    "sessions: create, read, update, list newest first with cursors and a status filter", arguments: dialects)
  func sessions(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      var created: [BenchmarkSession] = []
      for index in 0..<7 {
        let session = Fixtures.session(
          name: "s\(index)", createdAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)),
          status: index % 2 == 0 ? .completed : .running)
        try await store.createSession(session)
        created.append(session)
      }
      #expect(try await store.session(created[3].id) == created[3])
      var updated = created[3]
      updated.status = .cancelled
      updated.completedAt = Fixtures.rounded(Date())
      updated.stopReason = "cancelled"
      try await store.updateSession(updated)
      #expect(try await store.session(created[3].id) == updated)
      var seen: [UUID] = []
      var cursor: String?
      repeat {
        let page = try await store.sessions(status: nil, owner: nil, limit: 3, cursor: cursor)
        seen += page.items.map(\.id)
        cursor = page.nextCursor
      } while cursor != nil
      #expect(seen == created.reversed().map(\.id))
      let completed = try await store.sessions(status: .completed, owner: nil, limit: 10, cursor: nil)
      #expect(completed.items.map(\.name) == ["s6", "s4", "s2", "s0"])
      #expect(try await store.session(UUID()) == nil)
    }
  }

  @Test("results round-trip every field, and a task key stored again replaces its row", arguments: dialects)
  func resultRoundTrip(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      try await store.registerProvider(name: "alpha", kind: .llamacpp, baseURL: "http://127.0.0.1:8088")
      let original = Fixtures.result(session: session.id, index: 1, scores: ["bleu": 0.5, "rouge_l": 0.25])
      let failure = Fixtures.result(session: session.id, index: 2, status: .failure)
      try await store.insertResults([original, failure])
      #expect(try await store.result(original.id) == original)
      #expect(try await store.result(failure.id) == failure)
      var retried = Fixtures.result(session: session.id, index: 2, response: "three")
      retried.attempts = 2
      try await store.insertResults([retried])
      let page = try await store.results(ResultQuery(sessionID: session.id))
      #expect(page.items.count == 2)
      #expect(page.items.first { $0.testID == "case-2" }?.status == .success)
      #expect(page.items.first { $0.testID == "case-2" }?.attempts == 2)
      #expect(try await store.succeededTaskKeys(session: session.id) == [original.taskKey, retried.taskKey])
      #expect(try await store.resultCounts(session: session.id) == [.success: 2])
    }
  }

  @Test(
    "filters: provider, model, case, dates, tags, status, warm-up, minimum score, text", arguments: dialects)
  func filters(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      let other = Fixtures.session(name: "other")
      try await store.createSession(session)
      try await store.createSession(other)
      var results: [BenchmarkResult] = []
      for index in 0..<20 {
        results.append(
          Fixtures.result(
            session: index < 15 ? session.id : other.id, index: index,
            provider: index % 2 == 0 ? "alpha" : "beta",
            model: index % 3 == 0 ? "big" : "small", status: index % 5 == 4 ? .failure : .success,
            tags: index % 4 == 0 ? ["red", "blue"] : ["green"],
            prompt: index == 7 ? "Tell me about the volcanoes of Iceland" : nil,
            scores: ["bleu": Double(index) / 20], warmup: index == 0))
      }
      try await store.insertResults(results)
      func ids(_ query: ResultQuery) async throws -> Set<String> {
        var query = query
        query.limit = 1_000
        return Set(try await store.results(query).items.map(\.testID))
      }
      func expected(_ filter: (Int) -> Bool) -> Set<String> {
        Set((0..<20).filter(filter).map { "case-\($0)" })
      }
      #expect(try await ids(ResultQuery(sessionID: session.id)) == expected { $0 < 15 })
      #expect(try await ids(ResultQuery(provider: "beta")) == expected { $0 % 2 == 1 })
      #expect(try await ids(ResultQuery(model: "big")) == expected { $0 % 3 == 0 })
      #expect(try await ids(ResultQuery(testID: "case-3")) == ["case-3"])
      let from = Date(timeIntervalSince1970: 1_790_000_005)
      let to = Date(timeIntervalSince1970: 1_790_000_010)
      #expect(try await ids(ResultQuery(from: from, to: to)) == expected { (5..<10).contains($0) })
      #expect(try await ids(ResultQuery(tagsAny: ["blue", "nope"])) == expected { $0 % 4 == 0 })
      #expect(try await ids(ResultQuery(statuses: [.failure])) == expected { $0 % 5 == 4 })
      #expect(try await ids(ResultQuery(includeWarmup: false)) == expected { $0 != 0 })
      #expect(
        try await ids(ResultQuery(minimumScore: ScoreThreshold(metric: "bleu", value: 0.8)))
          == expected { $0 >= 16 })
      #expect(try await ids(ResultQuery(text: "volcanoes Iceland")) == ["case-7"])
      #expect(
        try await ids(ResultQuery(text: "It is 13")) == ["case-12", "case-13"],
        "prompt and response are searched together")
      #expect(
        try await ids(ResultQuery(text: "plus 14")) == ["case-13", "case-14"],
        "words may be split between prompt and response")
      #expect(
        try await ids(
          ResultQuery(sessionID: session.id, provider: "alpha", tagsAny: ["green"], statuses: [.success]))
          == expected { $0 < 15 && $0 % 2 == 0 && $0 % 4 != 0 && $0 % 5 != 4 })
    }
  }

  @Test(
    "text search gives the same rows whether a word is rare (looked up) or common (filtered)",
    arguments: dialects)
  func textSearchBothWays(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      let count = BenchStoreLimits.textLookup + 100
      let results = (0..<count).map { index in
        Fixtures.result(
          session: session.id, index: index, status: index % 10 == 9 ? .failure : .success,
          prompt: index % 1_000 == 3 ? "common words and a rare zebra \(index)" : "common words \(index)")
      }
      try await store.insertResults(results)
      func all(_ query: ResultQuery) async throws -> [String] {
        var query = query
        var seen: [String] = []
        repeat {
          let page = try await store.results(query)
          seen += page.items.map(\.testID)
          query.cursor = page.nextCursor
        } while query.cursor != nil
        return seen
      }
      let rare = try await all(ResultQuery(sessionID: session.id, text: "zebra", limit: 2))
      #expect(rare == stride(from: 3, to: count, by: 1_000).reversed().map { "case-\($0)" })
      #expect(try await all(ResultQuery(sessionID: session.id, text: "zebra 3003")) == ["case-3003"])
      #expect(try await all(ResultQuery(sessionID: session.id, text: "giraffe")) == [])
      let common = try await all(
        ResultQuery(sessionID: session.id, statuses: [.failure], text: "common", limit: 97))
      #expect(common == stride(from: 9, to: count, by: 10).reversed().map { "case-\($0)" })
    }
  }

  @Test("cursor pagination visits every row once, in every order and direction", arguments: dialects)
  func pagination(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      var results: [BenchmarkResult] = []
      for index in 0..<137 {
        var result = Fixtures.result(
          session: session.id, index: index,
          createdAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index % 10)))
        if index % 7 == 0 { result.timing = nil }
        if index % 3 == 0 { result.cost = nil }
        results.append(result)
      }
      try await store.insertResults(results)
      // The order's key as the store sorts by it (a missing TTFT or cost sorts as -1), ties by id.
      func key(_ result: BenchmarkResult, _ order: ResultOrder) -> Double {
        switch order {
        case .createdAt: Double(StoredTime.microseconds(result.createdAt))
        case .duration: result.durationMs
        case .timeToFirstToken: result.timeToFirstTokenMs ?? -1
        case .cost: result.cost?.total ?? -1
        }
      }
      for order in ResultOrder.allCases {
        for descending in [true, false] {
          var seen: [BenchmarkResult] = []
          var cursor: String?
          repeat {
            let page = try await store.results(
              ResultQuery(
                sessionID: session.id, order: order, descending: descending, limit: 10, cursor: cursor))
            seen += page.items
            cursor = page.nextCursor
          } while cursor != nil
          #expect(seen.count == 137, "order \(order) descending \(descending)")
          #expect(
            Set(seen.map(\.id)).count == 137, "no duplicates with order \(order) descending \(descending)")
          let sorted = seen.sorted { first, second in
            let (a, b) = (key(first, order), key(second, order))
            let ascending = a != b ? a < b : first.id.uuidString < second.id.uuidString
            return descending ? !ascending : ascending
          }
          #expect(seen.map(\.id) == sorted.map(\.id), "pages in order \(order), descending \(descending)")
        }
      }
      await #expect(throws: LTBError.self) { try await store.results(ResultQuery(cursor: "not-a-cursor")) }
    }
  }

  @Test(
    "a listing reads the columns every list shows and only the groups asked for; the latencies match the whole result's",
    arguments: dialects)
  func listing(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      try await store.insertResults(
        (0..<6).map { Fixtures.result(session: session.id, index: $0, status: $0 == 2 ? .failure : .success) }
      )
      let query = ResultQuery(sessionID: session.id)
      let whole = try await store.results(query)
      #expect(whole.items.count == 6)
      for parts: ResultRow.Parts in [[], .text, .labels, .all] {
        let rows = try await store.resultRows(query, reading: parts)
        #expect(rows.cursors == whole.cursors && rows.nextCursor == whole.nextCursor)
        for (stored, read) in zip(whole.items, rows.items) {
          #expect(read == ResultRow(stored, parts: parts), "\(stored.testID) reading \(parts)")
          #expect(
            (read.text != nil) == parts.contains(.text) && (read.labels != nil) == parts.contains(.labels))
          #expect(
            read.timeToFirstTokenMs == stored.timeToFirstTokenMs && read.endToEndMs == stored.endToEndMs
              && read.timePerOutputTokenMs == stored.timePerOutputTokenMs
              && read.durationMs == stored.durationMs && read.timeToFirstTokenMs != nil)
        }
      }
      // A whole result is always whole: every content event, the run, labels and details.
      let first = try #require(whole.items.first)
      #expect(first.timing?.contentEventOffsetsNanos.count == 3 && !first.prompt.isEmpty)
      #expect(try await store.result(first.id) == first)
    }
  }

  @Test("hostile filter values are stored and matched literally", arguments: dialects)
  func injection(dialect: SQLDialectKind) async throws {
    let hostile = [
      "'; DROP TABLE results; --", "\" OR 1=1 --", "a' OR '1'='1", "x\\\" AND 1=1", "$1", "%", "_",
      "\u{0}nul", "NEAR(\"a\" \"b\")",
      "results_fts MATCH '*'",
    ]
    try await TestDatabase.withStore(dialect) { store in
      let session = Fixtures.session()
      try await store.createSession(session)
      var results: [BenchmarkResult] = []
      for (index, text) in hostile.enumerated() {
        let clean = text.replacingOccurrences(of: "\u{0}", with: "")
        results.append(
          Fixtures.result(
            session: session.id, index: index, provider: clean, model: clean, tags: [clean],
            prompt: "prompt \(clean)",
            scores: [clean: 1]))
      }
      try await store.insertResults(results)
      for (index, text) in hostile.enumerated() {
        let clean = text.replacingOccurrences(of: "\u{0}", with: "")
        let expected = ["case-\(index)"]
        #expect(
          try await store.results(ResultQuery(provider: clean)).items.map(\.testID) == expected,
          "provider \(clean)")
        #expect(
          try await store.results(ResultQuery(model: clean)).items.map(\.testID) == expected, "model \(clean)"
        )
        #expect(try await store.results(ResultQuery(testID: clean)).items.isEmpty)
        #expect(
          try await store.results(ResultQuery(tagsAny: [clean])).items.map(\.testID) == expected,
          "tag \(clean)")
        #expect(
          try await store.results(ResultQuery(minimumScore: ScoreThreshold(metric: clean, value: 1))).items
            .map(\.testID) == expected,
          "score \(clean)")
        // Full-text search takes the words literally (never FTS syntax): the row is found, and
        // where the words are the row's alone, only it.
        let found = try await store.results(ResultQuery(text: clean)).items.map(\.testID)
        if clean.contains(where: { $0.isLetter || $0.isNumber }) {
          #expect(found.contains("case-\(index)"), "text \(clean): \(found)")
        }
        if [0, 8, 9].contains(index) { #expect(found == expected, "text \(clean): \(found)") }
        #expect(try await store.result(results[index].id)?.prompt == "prompt \(clean)")
      }
      #expect(
        try await store.results(ResultQuery(sessionID: session.id, limit: 100)).items.count == hostile.count)
    }
  }

  @Test("the response cache stores and returns a response exactly", arguments: dialects)
  func responseCache(dialect: SQLDialectKind) async throws {
    try await TestDatabase.withStore(dialect) { store in
      let request = CompletionRequest(prompt: "hi")
      let response = CompletionResponse(
        provider: "alpha", model: "m1", text: "hello", finishReason: .stop,
        usage: Usage(inputTokens: 1, outputTokens: 1),
        cost: .zero, timing: RequestTiming(contentEventOffsetsNanos: [5, 9], endOffsetNanos: 10),
        streamed: true)
      #expect(try await store.cachedResponse(key: "k1") == nil)
      try await store.storeCachedResponse(
        key: "k1", provider: "alpha", model: "m1", request: request, response: response)
      #expect(try await store.cachedResponse(key: "k1") == response)
    }
  }
}

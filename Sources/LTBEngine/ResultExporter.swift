public import Foundation
public import LTBCore
public import LTBStorage

/// Writes a session's results as JSON, JSONL or CSV, page by page (memory stays flat).
public enum ResultExporter {
  /// The export formats.
  public enum Format: String, Sendable, CaseIterable {
    case json, jsonl, csv
  }

  /// The CSV columns, in order.
  public static let csvColumns = [
    "id", "session_id", "task_key", "test_id", "dataset", "provider", "model", "phase", "repeat_index",
    "warmup", "status",
    "error_code", "error", "ttft_ms", "e2e_ms", "tpot_ms", "duration_ms", "schedule_lag_ms", "sent_offset_ms",
    "input_tokens", "output_tokens", "cached_input_tokens", "usage_source", "cost_usd", "cache_hit",
    "attempts",
    "finish_reason", "server_prompt_ms", "server_generation_ms", "created_at", "prompt", "response",
  ]

  /// Writes every result of `session` to `output` in `format`; returns how many were written.
  @discardableResult
  public static func export(store: any BenchStore, session: UUID, format: Format, to output: FileHandle)
    async throws -> Int
  {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    let dates = ISO8601DateFormatter()
    var count = 0
    if format == .csv { output.write(Data((csvColumns.joined(separator: ",") + "\n").utf8)) }
    if format == .json { output.write(Data("[".utf8)) }
    try await store.forEachResultPage(session: session) { page in
      var chunk = Data()
      for result in page {
        switch format {
        case .jsonl:
          chunk.append(try encoder.encode(result))
          chunk.append(0x0A)
        case .json:
          if count > 0 { chunk.append(Data(",\n".utf8)) }
          chunk.append(try encoder.encode(result))
        case .csv:
          chunk.append(Data((csvRow(result, dates: dates).joined(separator: ",") + "\n").utf8))
        }
        count += 1
      }
      output.write(chunk)
    }
    if format == .json { output.write(Data("]\n".utf8)) }
    return count
  }

  /// One result as CSV cells, quoted where needed; `dates` writes `created_at` (one formatter
  /// for a whole export: making one costs more than the rest of a row).
  public static func csvRow(_ result: BenchmarkResult, dates: ISO8601DateFormatter = ISO8601DateFormatter())
    -> [String]
  {
    func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "" }
    let cells: [String] = [
      result.id.uuidString.lowercased(), result.sessionID.uuidString.lowercased(), result.taskKey,
      result.testID, result.dataset,
      result.provider, result.model, String(result.phase), String(result.repeatIndex), String(result.warmup),
      result.status.rawValue,
      result.errorCode ?? "", result.error ?? "", number(result.timeToFirstTokenMs),
      number(result.endToEndMs),
      number(result.timePerOutputTokenMs), number(result.durationMs), number(result.scheduleLagMs),
      number(result.sentOffsetMs),
      result.usage.map { String($0.inputTokens) } ?? "", result.usage.map { String($0.outputTokens) } ?? "",
      result.usage.map { String($0.cachedInputTokens) } ?? "", result.usage?.source.rawValue ?? "",
      result.cost.map { String(format: "%.8f", $0.total) } ?? "", String(result.cacheHit),
      String(result.attempts),
      result.finishReason ?? "", number(result.serverTimings?.promptMilliseconds),
      number(result.serverTimings?.generationMilliseconds),
      dates.string(from: result.createdAt), result.prompt, result.response ?? "",
    ]
    return cells.map(CSVField.quoted)
  }
}

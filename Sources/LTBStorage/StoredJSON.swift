import Foundation
import LTBCore

/// JSON text for the JSON columns, written with the fast serializer (encoding a result's timing
/// with `JSONEncoder` cost more than the whole SQLite insert). The keys are those `Codable`
/// synthesizes, so reading back decodes with the types' own `init(from:)`.
enum StoredJSON {
  /// The hottest column (every content event's offset), written without intermediate values.
  static func timing(_ timing: RequestTiming) -> String {
    var text = "{\"contentEventOffsetsNanos\":["
    text.reserveCapacity(32 + timing.contentEventOffsetsNanos.count * 11)
    for (index, offset) in timing.contentEventOffsetsNanos.enumerated() {
      if index > 0 { text += "," }
      text += String(offset)
    }
    text += "],\"endOffsetNanos\":" + String(timing.endOffsetNanos)
    if let scheduled = timing.scheduledOffsetNanos {
      text += ",\"scheduledOffsetNanos\":" + String(scheduled)
    }
    return text + "}"
  }

  /// Any `Encodable` value through `JSONEncoder` (for the rarely written columns).
  static func encoded(_ value: some Encodable) -> String {
    (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
  }

  /// A cost as its `Codable` form writes it: `input`, `cachedInput` and `output`, and for a
  /// request with images or audio also `image`, `audio` and `media` (the ``MediaUsage``).
  static func cost(_ cost: Cost) -> String {
    var members: [String: JSONValue] = [
      "input": .double(cost.input), "cachedInput": .double(cost.cachedInput), "output": .double(cost.output),
    ]
    if let media = cost.media {
      members["image"] = .double(cost.image)
      members["audio"] = .double(cost.audio)
      var record: [String: JSONValue] = [
        "imageTokens": .int(media.imageTokens), "audioTokens": .int(media.audioTokens),
        "estimated": .bool(media.estimated),
      ]
      record.set("audioSeconds", media.audioSeconds.map(JSONValue.double))
      members["media"] = .object(record)
    }
    return JSONValue.object(members).serialized()
  }

  static func serverTimings(_ timings: ServerTimings) -> String {
    var members: [String: JSONValue] = ["source": .string(timings.source)]
    members.set("promptTokens", .number(timings.promptTokens))
    members.set("promptMilliseconds", .number(timings.promptMilliseconds))
    members.set("generatedTokens", .number(timings.generatedTokens))
    members.set("generationMilliseconds", .number(timings.generationMilliseconds))
    members.set("loadMilliseconds", .number(timings.loadMilliseconds))
    members.set("totalMilliseconds", .number(timings.totalMilliseconds))
    members.set("cachedPromptTokens", .number(timings.cachedPromptTokens))
    return JSONValue.object(members).serialized()
  }

  static func parameters(_ parameters: SamplingParameters) -> String {
    var members: [String: JSONValue] = [:]
    members.set("temperature", .number(parameters.temperature))
    members.set("topP", .number(parameters.topP))
    members.set("topK", .number(parameters.topK))
    members.set("maxTokens", .number(parameters.maxTokens))
    members.set("stop", .strings(parameters.stop))
    members.set("seed", .number(parameters.seed))
    members.set("presencePenalty", .number(parameters.presencePenalty))
    members.set("frequencyPenalty", .number(parameters.frequencyPenalty))
    return JSONValue.object(members).serialized()
  }

  static func scores(_ scores: [String: Double]) -> String {
    JSONValue.object(scores.mapValues { .double($0) }).serialized()
  }

  static func metadata(_ metadata: [String: JSONValue]) -> String {
    JSONValue.object(metadata).serialized()
  }

  static func strings(_ values: [String]) -> String {
    JSONValue.array(values.map { .string($0) }).serialized()
  }
}

import Foundation
public import LTBCore
public import LTBMedia

/// Turns a task into the request sent: the case's messages and attachments, the target's model
/// and parameters, the case's overrides on top.
public enum RequestBuilder {
  /// The request for `task`, and the record of each image and piece of audio it carries; it
  /// asks for token logprobs when a perplexity assertion will need them (the case's or the
  /// suite's). The case's images and audio are loaded by `media`, within `limits` (the vendor
  /// `vendor` names): too many images are refused, an image over a size limit shrunk.
  public static func request(
    for task: BenchmarkTask, suiteAssertions: [JSONValue] = [], media: MediaLoader = MediaLoader(),
    limits: MediaLimits = .none, vendor: String = "the vendor"
  ) async throws -> (request: CompletionRequest, media: [MediaInput]) {
    let testCase = task.testCase
    let images = testCase.attachments.filter { $0.kind == .image }.count
    if let most = limits.maxImages, images > most {
      throw LTBError(
        .invalidInput,
        "case '\(testCase.id)' has \(images) images; \(vendor) takes at most \(most) in one request",
        fix: "split the case, or send it to a provider that takes more")
    }
    var messages = testCase.messages ?? [Message(role: .user, text: testCase.prompt ?? "")]
    var records: [MediaInput] = []
    if !testCase.attachments.isEmpty, let last = messages.indices.last(where: { messages[$0].role == .user })
    {
      for attachment in testCase.attachments {
        let loaded = try await media.load(attachment, limits: limits, images: images, vendor: vendor)
        messages[last].content.append(loaded.part)
        records.append(loaded.record)
      }
    }
    var parameters = task.target.parameters
    let overrides = testCase.overrides
    if let temperature = overrides.temperature { parameters.temperature = temperature }
    if let maxTokens = overrides.maxTokens { parameters.maxTokens = maxTokens }
    if let stop = overrides.stop { parameters.stop = stop }
    let wantsLogprobs = (suiteAssertions + testCase.assertions).contains { assertion in
      guard case .string(let type)? = assertion["type"] else { return false }
      return type == "perplexity" || type == "not-perplexity"
    }
    var request = CompletionRequest(
      model: overrides.model ?? task.target.model, system: testCase.system, messages: messages,
      parameters: parameters, logprobs: wantsLogprobs ? 1 : nil)
    request.task = task.target.task
    return (request, records)
  }

  /// The prompt as text, for storage: a lone user message as itself, otherwise system and
  /// messages one per line with their roles.
  public static func promptText(_ request: CompletionRequest) -> String {
    if request.system == nil, request.messages.count == 1, let only = request.messages.first, only.isTextOnly
    {
      return only.text
    }
    var lines: [String] = []
    if let system = request.system { lines.append("system: \(system)") }
    for message in request.messages {
      let attachments = message.content.filter { $0.modality != .text }.count
      lines.append(
        "\(message.role.rawValue): \(message.text)\(attachments > 0 ? " [+\(attachments) attachment(s)]" : "")"
      )
    }
    return lines.joined(separator: "\n")
  }
}

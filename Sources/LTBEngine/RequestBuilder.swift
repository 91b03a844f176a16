import Foundation
public import LTBCore

/// Turns a task into the request sent: the case's messages and attachments, the target's model
/// and parameters, the case's overrides on top.
public enum RequestBuilder {
  /// The request for `task`; it asks for token logprobs when a perplexity assertion will need
  /// them (the case's or the suite's).
  public static func request(for task: BenchmarkTask, suiteAssertions: [JSONValue] = []) throws
    -> CompletionRequest
  {
    let testCase = task.testCase
    var messages = testCase.messages ?? [Message(role: .user, text: testCase.prompt ?? "")]
    if !testCase.attachments.isEmpty, let last = messages.indices.last(where: { messages[$0].role == .user })
    {
      messages[last].content += try testCase.attachments.map(part)
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
    return CompletionRequest(
      model: overrides.model ?? task.target.model, system: testCase.system, messages: messages,
      parameters: parameters, logprobs: wantsLogprobs ? 1 : nil)
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

  private static func part(_ attachment: Attachment) throws -> ContentPart {
    let location = attachment.location
    let isRemote = location.hasPrefix("http://") || location.hasPrefix("https://")
    switch attachment.kind {
    case .image:
      if isRemote || location.hasPrefix("data:") { return .image(ImageContent(source: .url(location))) }
      return .image(
        ImageContent(source: .inline(data: try read(location), mediaType: mediaType(of: location))))
    case .audio:
      guard !isRemote else {
        throw LTBError(
          .invalidInput, "audio must be a local file, not \(location)", fix: "download it and give its path")
      }
      let format = AudioFormat(rawValue: URL(fileURLWithPath: location).pathExtension.lowercased()) ?? .wav
      return .audio(AudioContent(data: try read(location), format: format))
    }
  }

  private static func read(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw LTBError(
        .invalidInput, "cannot read the attachment \(path)", fix: "check that the file exists and is readable"
      )
    }
    return data
  }

  private static func mediaType(of path: String) -> String {
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "png": "image/png"
    case "gif": "image/gif"
    case "webp": "image/webp"
    default: "image/jpeg"
    }
  }
}

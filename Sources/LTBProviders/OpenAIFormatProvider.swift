public import Foundation
public import LTBCore

/// A provider that speaks OpenAI's chat-completions format (OpenAI, Mistral, compatible
/// servers): everything here is shared, each vendor brings its ``OpenAIChatFormat/Dialect``.
public protocol OpenAIFormatProvider: HTTPChatProvider {
  /// The dialect spoken.
  var dialect: OpenAIChatFormat.Dialect { get }
}

extension OpenAIFormatProvider {
  /// Chat completions.
  public var versionInfo: VersionInfo { VersionInfo(apiVersion: "v1", endpoint: "chat/completions") }
  /// Server-sent events.
  public var framing: StreamFraming { .serverSentEvents }

  /// A chat-completions request in the vendor's dialect.
  public func chatRequest(_ request: CompletionRequest, model: String, stream: Bool) throws -> OutgoingRequest
  {
    if request.task == .transcription {
      guard kind == .openai || kind == .openaiCompatible else {
        throw LTBError(
          .unsupportedCapability, "provider '\(name)' (\(kind.rawValue)) has no transcription endpoint",
          fix: "use an openai or openai-compatible provider (a speech server) for task: transcription")
      }
      return try OpenAITranscription.request(request, model: model, stream: stream)
    }
    if request.logprobs != nil, !dialect.returnsLogprobs {
      throw LTBError(
        .unsupportedCapability, "provider '\(name)' (\(kind.rawValue)) does not return logprobs",
        fix: "drop logprobs for this provider; perplexity needs a provider that returns them")
    }
    let body = OpenAIChatFormat(dialect: dialect).body(request, model: model, stream: stream)
    return .json("/chat/completions", JSONValue.object(body))
  }

  /// Decodes a chat completion.
  public func decodeResponse(_ body: Data) throws -> [StreamEvent] {
    // A transcription's answer has `text` and no `choices`.
    if body.range(of: Data(#""choices""#.utf8)) == nil, let value = try? JSONValue.parse(body),
      let events = OpenAITranscription.events(value)
    {
      return events
    }
    return try OpenAIChatFormat(dialect: dialect).decodeResponse(body)
  }

  /// A decoder for one stream.
  public func makeStreamDecoder() -> some ChatStreamDecoder { OpenAIStreamDecoder(settings: settings) }

  /// Lists models, which needs a valid key where the server has keys.
  public func healthRequest() -> OutgoingRequest { OutgoingRequest(method: .get, path: "/models") }

  /// Embeds texts with `/embeddings`.
  public func embed(_ texts: [String], model: String?) async throws -> [[Double]] {
    let resolved = try model ?? dialect.defaultEmbeddingModel ?? resolveModel(nil)
    return try await openAIEmbeddings(texts, model: resolved, transport: transport, mapError: mapError)
  }
}

/// The `/embeddings` call of OpenAI-format servers (llama.cpp serves it at `/v1/embeddings`).
func openAIEmbeddings(
  _ texts: [String], model: String, path: String = "/embeddings", transport: HTTPTransport,
  mapError: @escaping @Sendable (HTTPErrorResponse) -> LTBError
) async throws -> [[Double]] {
  struct Answer: Decodable {
    struct Item: Decodable {
      var index: Int
      var embedding: [Double]
    }
    var data: [Item]
  }
  let body: JSONValue = [
    "model": .string(model), "input": .array(texts.map(JSONValue.string)), "encoding_format": "float",
  ]
  let data = try await transport.data(for: .json(path, body), mapError: mapError)
  let answer = try WireJSON.decode(Answer.self, from: data, context: "embeddings")
  return try checkedVectors(
    answer.data.sorted { $0.index < $1.index }.map(\.embedding), count: texts.count, endpoint: path)
}

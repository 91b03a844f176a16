import Foundation
import LTBCore
import LTBFakeServer
import LTBProviders
import Testing

/// The exact JSON each vendor receives, and the vendor features beyond plain text.
@Suite("Request encoding")
struct RequestEncodingTests {
  static let conversation = CompletionRequest(
    system: "Be brief.",
    messages: [
      Message(role: .user, text: "Say hello"), Message(role: .assistant, text: "Hi!"),
      Message(role: .user, text: "Again"),
    ],
    parameters: SamplingParameters(temperature: 0.25, topP: 0.5, maxTokens: 64, stop: ["END"], seed: 7))

  static let expectedBodies: [ProviderKind: JSONValue] = [
    .openai: [
      "model": "gpt-4.1-mini",
      "messages": [
        ["role": "system", "content": "Be brief."], ["role": "user", "content": "Say hello"],
        ["role": "assistant", "content": "Hi!"], ["role": "user", "content": "Again"],
      ],
      "temperature": 0.25, "top_p": 0.5, "max_completion_tokens": 64, "stop": ["END"], "seed": 7,
    ],
    .mistral: [
      "model": "mistral-small-latest",
      "messages": [
        ["role": "system", "content": "Be brief."], ["role": "user", "content": "Say hello"],
        ["role": "assistant", "content": "Hi!"], ["role": "user", "content": "Again"],
      ],
      "temperature": 0.25, "top_p": 0.5, "max_tokens": 64, "stop": ["END"], "random_seed": 7,
    ],
    .openaiCompatible: [
      "model": "meta-llama/Llama-3.1-8B-Instruct",
      "messages": [
        ["role": "system", "content": "Be brief."], ["role": "user", "content": "Say hello"],
        ["role": "assistant", "content": "Hi!"], ["role": "user", "content": "Again"],
      ],
      "temperature": 0.25, "top_p": 0.5, "max_tokens": 64, "stop": ["END"], "seed": 7,
    ],
    .anthropic: [
      "model": "claude-haiku-4-5", "system": "Be brief.",
      "messages": [
        ["role": "user", "content": [["type": "text", "text": "Say hello"]]],
        ["role": "assistant", "content": [["type": "text", "text": "Hi!"]]],
        ["role": "user", "content": [["type": "text", "text": "Again"]]],
      ],
      "max_tokens": 64, "temperature": 0.25, "top_p": 0.5, "stop_sequences": ["END"],
    ],
    .gemini: [
      "contents": [
        ["role": "user", "parts": [["text": "Say hello"]]], ["role": "model", "parts": [["text": "Hi!"]]],
        ["role": "user", "parts": [["text": "Again"]]],
      ],
      "systemInstruction": ["parts": [["text": "Be brief."]]],
      "generationConfig": [
        "temperature": 0.25, "topP": 0.5, "maxOutputTokens": 64, "stopSequences": ["END"], "seed": 7,
      ],
    ],
    .cohere: [
      "model": "command-a-03-2025", "stream": false,
      "messages": [
        ["role": "system", "content": "Be brief."], ["role": "user", "content": "Say hello"],
        ["role": "assistant", "content": "Hi!"], ["role": "user", "content": "Again"],
      ],
      "temperature": 0.25, "p": 0.5, "max_tokens": 64, "stop_sequences": ["END"], "seed": 7,
    ],
    .ollama: [
      "model": "llama3.2", "stream": false,
      "messages": [
        ["role": "system", "content": "Be brief."], ["role": "user", "content": "Say hello"],
        ["role": "assistant", "content": "Hi!"], ["role": "user", "content": "Again"],
      ],
      "options": ["temperature": 0.25, "top_p": 0.5, "num_predict": 64, "stop": ["END"], "seed": 7],
    ],
    .llamacpp: [
      "prompt": "<|im_start|>user\nSay hello<|im_end|>\n<|im_start|>assistant\n", "stream": false,
      "cache_prompt": true,
      "n_predict": 64, "temperature": 0.25, "top_p": 0.5, "stop": ["END"], "seed": 7,
    ],
  ]

  @Test("a full conversation is encoded exactly as the vendor documents", arguments: VendorFixture.all)
  func conversationBody(fixture: VendorFixture) async throws {
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, server in
      _ = try await provider.complete(Self.conversation)
      let request = try #require(chatRequests(server, fixture).first)
      let body = try JSONValue.parse(request.body)
      #expect(body == Self.expectedBodies[fixture.kind])
      if fixture.kind == .llamacpp {
        let template = try #require(server.requests.first { $0.path == "/apply-template" })
        let expected: JSONValue = [
          "messages": [
            ["role": "system", "content": "Be brief."], ["role": "user", "content": "Say hello"],
            ["role": "assistant", "content": "Hi!"], ["role": "user", "content": "Again"],
          ]
        ]
        #expect(try JSONValue.parse(template.body) == expected)
      }
    }
  }

  @Test("provider default parameters fill what the request leaves unset")
  func defaultParameters() async throws {
    let fixture = VendorFixture.openAI
    try await withVendor(
      fixture, adjust: { $0.defaultParameters = SamplingParameters(temperature: 0.75, maxTokens: 32) },
      handler: plainHandler(fixture)
    ) { provider, server in
      _ = try await provider.complete(
        CompletionRequest(prompt: "x", parameters: SamplingParameters(temperature: 0.5)))
      let body = try JSONValue.parse(try #require(server.requests.first).body)
      #expect(body["temperature"] == 0.5)
      #expect(body["max_completion_tokens"] == 32)
    }
  }

  @Test("extra headers from the configuration are sent with every request")
  func extraHeaders() async throws {
    let fixture = VendorFixture.openAICompatible
    try await withVendor(
      fixture, adjust: { $0.extraHeaders = ["X-Team": "bench"] }, handler: plainHandler(fixture)
    ) {
      provider, server in
      _ = try await provider.complete(helloRequest)
      #expect(server.requests.first?.header("x-team") == "bench")
    }
  }

  @Test("a request without a model and no default model names the fix")
  func missingModel() async throws {
    let fixture = VendorFixture.openAI
    try await withVendor(fixture, adjust: { $0.defaultModel = nil }, handler: plainHandler(fixture)) {
      provider, server in
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(error?.code == .configuration)
      #expect(error?.fix?.contains("default_model") == true)
      #expect(server.requests.isEmpty)
    }
  }

  @Test("OpenAI: logprobs are requested and parsed")
  func openAILogprobs() async throws {
    let fixture = VendorFixture.openAI
    let body = """
      {"id":"c","model":"gpt-4.1-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},\
      "logprobs":{"content":[{"token":"Hi","logprob":-0.25,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.25},\
      {"token":"Hello","logprob":-1.5}]}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}
      """
    try await withVendor(fixture, handler: { _, writer in try await writer.respond(status: 200, body: body) })
    { provider, server in
      var request = helloRequest
      request.logprobs = 2
      let response = try await provider.complete(request)
      let sent = try JSONValue.parse(try #require(server.requests.first).body)
      #expect(sent["logprobs"] == true)
      #expect(sent["top_logprobs"] == 2)
      let logprobs = try #require(response.logprobs)
      #expect(
        logprobs == [
          TokenLogprob(
            token: "Hi", logprob: -0.25,
            topAlternatives: [.init(token: "Hi", logprob: -0.25), .init(token: "Hello", logprob: -1.5)])
        ])
    }
  }

  @Test(
    "JSON mode and JSON schema in each vendor's dialect",
    arguments: VendorFixture.all.filter { $0.kind != .anthropic })
  func jsonMode(fixture: VendorFixture) async throws {
    let schema: JSONValue = [
      "type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"],
    ]
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, server in
      var request = helloRequest
      request.responseFormat = .jsonSchema(name: "answer", schema: schema)
      _ = try await provider.complete(request)
      let body = try JSONValue.parse(try #require(chatRequests(server, fixture).first).body)
      switch fixture.kind {
      case .openai, .mistral, .openaiCompatible:
        #expect(
          body["response_format"] == [
            "type": "json_schema", "json_schema": ["name": "answer", "schema": schema, "strict": true],
          ])
      case .gemini:
        #expect(body["generationConfig"]?["responseMimeType"] == "application/json")
        #expect(body["generationConfig"]?["responseJsonSchema"] == schema)
      case .cohere:
        #expect(body["response_format"] == ["type": "json_object", "json_schema": schema])
      case .ollama:
        #expect(body["format"] == schema)
      case .llamacpp:
        #expect(body["json_schema"] == schema)
      case .anthropic:
        Issue.record("anthropic has no JSON mode")
      case .langserve:
        Issue.record("a LangServe chain is not a vendor fixture (EndToEndTests covers it)")
      }
    }
  }

  @Test(
    "a catalogued model that does not list vision or audio is refused those inputs before sending; an uncatalogued one is sent"
  )
  func modelCapabilities() async throws {
    let fixture = VendorFixture.openAI
    let server = try await LoopbackHTTPServer.start { request, writer in
      try await writer.respond(status: 200, body: fixture.auxiliary(request) ?? fixture.plainBody)
    }
    let catalog = ModelCatalog([
      ModelInfo(
        id: "seer", kind: .openai, contextLength: 8_192, pricing: testPricing, capabilities: [.vision]),
      ModelInfo(
        id: "listener", kind: .openai, contextLength: 8_192, pricing: testPricing, capabilities: [.audio]),
    ])
    let provider = try ProviderRegistry.makeProvider(fixture.settings(server: server), catalog: catalog)
    let image = ContentPart.image(
      ImageContent(source: .inline(data: Data([0x89, 0x50]), mediaType: "image/png")))
    let audio = ContentPart.audio(AudioContent(data: Data([1, 2]), format: .wav))
    func send(_ model: String, _ part: ContentPart) async throws {
      _ = try await provider.completeMultimodal(
        CompletionRequest(
          model: model, messages: [Message(role: .user, content: [.text("What is this?"), part])]),
        options: RequestOptions(stream: false))
    }
    let deaf = await expectLTBError { try await send("seer", audio) }
    #expect(
      deaf?.code == .unsupportedCapability && deaf?.message.contains("model 'seer'") == true,
      "\(String(describing: deaf))")
    #expect(deaf?.message.contains("does not take audio input") == true)
    #expect(deaf?.fix?.contains("models_file") == true)
    let blind = await expectLTBError { try await send("listener", image) }
    #expect(
      blind?.code == .unsupportedCapability && blind?.message.contains("does not take image input") == true)
    #expect(chatRequests(server, fixture).isEmpty, "nothing was sent for a refused input")
    try await send("seer", image)
    try await send("listener", audio)
    try await send("my-finetune", audio)
    #expect(chatRequests(server, fixture).count == 3)
    await provider.shutdown()
    await server.stop()
  }

  @Test("Anthropic refuses JSON mode, logprobs and audio with a fix instead of sending them")
  func anthropicRefusals() async throws {
    let fixture = VendorFixture.anthropic
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, server in
      var json = helloRequest
      json.responseFormat = .jsonObject
      #expect(await expectLTBError { _ = try await provider.complete(json) }?.code == .unsupportedCapability)
      var logprobs = helloRequest
      logprobs.logprobs = 0
      #expect(
        await expectLTBError { _ = try await provider.complete(logprobs) }?.code == .unsupportedCapability)
      let audio = CompletionRequest(messages: [
        Message(role: .user, content: [.audio(AudioContent(data: Data([1, 2]), format: .wav))])
      ])
      #expect(await expectLTBError { _ = try await provider.complete(audio) }?.code == .unsupportedCapability)
      #expect(server.requests.isEmpty)
    }
  }

  @Test(
    "images travel in each vendor's content format",
    arguments: [VendorFixture.openAI, .anthropic, .gemini, .mistral, .ollama])
  func images(fixture: VendorFixture) async throws {
    let png = Data([0x89, 0x50, 0x4E, 0x47])
    let request = CompletionRequest(messages: [
      Message(
        role: .user,
        content: [
          .text("What is this?"), .image(ImageContent(source: .inline(data: png, mediaType: "image/png"))),
        ])
    ])
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, server in
      _ = try await provider.complete(request)
      let body = try JSONValue.parse(try #require(server.requests.first).body)
      let base64 = png.base64EncodedString()
      switch fixture.kind {
      case .openai:
        #expect(
          body["messages"]?.arrayValue?.first?["content"]?.arrayValue?.last == [
            "type": "image_url", "image_url": ["url": .string("data:image/png;base64,\(base64)")],
          ])
      case .mistral:
        #expect(
          body["messages"]?.arrayValue?.first?["content"]?.arrayValue?.last == [
            "type": "image_url", "image_url": .string("data:image/png;base64,\(base64)"),
          ])
      case .anthropic:
        #expect(
          body["messages"]?.arrayValue?.first?["content"]?.arrayValue?.last == [
            "type": "image",
            "source": ["type": "base64", "media_type": "image/png", "data": .string(base64)],
          ])
      case .gemini:
        #expect(
          body["contents"]?.arrayValue?.first?["parts"]?.arrayValue?.last == [
            "inlineData": ["mimeType": "image/png", "data": .string(base64)]
          ])
      case .ollama:
        #expect(body["messages"]?.arrayValue?.first?["images"] == [.string(base64)])
      default:
        Issue.record("no image expectation for \(fixture.kind)")
      }
    }
  }

  @Test("llama.cpp native completion refuses images before sending anything")
  func llamaRefusesImages() async throws {
    let fixture = VendorFixture.llamaCpp
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, server in
      let request = CompletionRequest(messages: [
        Message(role: .user, content: [.image(ImageContent(source: .url("https://x/y.png")))])
      ])
      let error = await expectLTBError {
        _ = try await provider.completeMultimodal(request, options: RequestOptions(stream: false))
      }
      #expect(error?.code == .unsupportedCapability)
      #expect(server.requests.isEmpty)
    }
  }

  @Test("tool calls: OpenAI streamed argument fragments are joined")
  func openAIToolCallStream() async throws {
    let fixture = VendorFixture.openAI
    let pieces = [
      #"data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"weather","arguments":""}}]},"finish_reason":null}]}"#
        + "\n\n",
      #"data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}"#
        + "\n\n",
      #"data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null}]}"#
        + "\n\n",
      #"data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":9}}"#
        + "\n\n",
      "data: [DONE]\n\n",
    ]
    let tool = ToolDefinition(
      name: "weather", description: "Weather by city",
      parameters: ["type": "object", "properties": ["city": ["type": "string"]]])
    try await withVendor(fixture, handler: streamHandler(fixture, pause: .milliseconds(1), pieces: pieces)) {
      provider, server in
      var request = helloRequest
      request.tools = [tool]
      request.toolChoice = .required
      let response = try await provider.stream(request) { _ in }
      #expect(
        response.toolCalls == [ToolCall(id: "call_1", name: "weather", arguments: #"{"city":"Paris"}"#)])
      #expect(response.finishReason == .toolCalls)
      #expect(response.timing.contentEventOffsetsNanos.count == 3)
      let body = try JSONValue.parse(try #require(server.requests.first).body)
      #expect(
        body["tools"] == [
          [
            "type": "function",
            "function": ["name": "weather", "description": "Weather by city", "parameters": tool.parameters],
          ]
        ])
      #expect(body["tool_choice"] == "required")
    }
  }

  @Test("tool calls: Anthropic tool_use blocks with input_json_delta")
  func anthropicToolUseStream() async throws {
    let fixture = VendorFixture.anthropic
    let pieces = [
      "event: message_start\n"
        + #"data: {"type":"message_start","message":{"id":"m","model":"claude-haiku-4-5","content":[],"usage":{"input_tokens":30,"output_tokens":1}}}"#
        + "\n\n",
      "event: content_block_start\n"
        + #"data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}}"#
        + "\n\n",
      "event: content_block_delta\n"
        + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}}"#
        + "\n\n",
      "event: content_block_delta\n"
        + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"ris\"}"}}"#
        + "\n\n",
      "event: message_delta\n"
        + #"data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":12}}"#
        + "\n\n"
        + "event: message_stop\n" + #"data: {"type":"message_stop"}"# + "\n\n",
    ]
    try await withVendor(fixture, handler: streamHandler(fixture, pause: .milliseconds(1), pieces: pieces)) {
      provider, server in
      var request = helloRequest
      request.tools = [ToolDefinition(name: "weather", parameters: ["type": "object"])]
      request.toolChoice = .function("weather")
      let response = try await provider.stream(request) { _ in }
      #expect(
        response.toolCalls == [ToolCall(id: "toolu_1", name: "weather", arguments: #"{"city": "Paris"}"#)])
      #expect(response.finishReason == .toolCalls)
      #expect(response.usage.inputTokens == 30)
      #expect(response.usage.outputTokens == 12)
      let body = try JSONValue.parse(try #require(server.requests.first).body)
      #expect(body["tools"] == [["name": "weather", "input_schema": ["type": "object"]]])
      #expect(body["tool_choice"] == ["type": "tool", "name": "weather"])
    }
  }

  @Test(
    "exact token counts where the vendor has a tokenizer endpoint",
    arguments: [VendorFixture.anthropic, .gemini, .cohere, .llamaCpp])
  func tokenCounting(fixture: VendorFixture) async throws {
    let (path, answer): (String, String) =
      switch fixture.kind {
      case .anthropic: ("/v1/messages/count_tokens", #"{"input_tokens":11}"#)
      case .gemini: ("/v1beta/models/gemini-2.5-flash:countTokens", #"{"totalTokens":11}"#)
      case .cohere: ("/v1/tokenize", #"{"tokens":[1,2,3,4,5,6,7,8,9,10,11],"token_strings":[]}"#)
      default: ("/tokenize", #"{"tokens":[1,2,3,4,5,6,7,8,9,10,11]}"#)
      }
    try await withVendor(
      fixture, handler: { _, writer in try await writer.respond(status: 200, body: answer) }
    ) { provider, server in
      let count = try await provider.estimateTokens("Hello world, how are you?", model: nil)
      #expect(count == TokenCount(count: 11, exact: true, method: count.method))
      #expect(server.requests.first?.path == path)
    }
  }

  @Test("vendors without a tokenizer give an estimate labelled as such")
  func labelledEstimate() async throws {
    let fixture = VendorFixture.openAI
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, server in
      let count = try await provider.estimateTokens("abcdefgh", model: nil)
      #expect(count.exact == false)
      #expect(count.count == 2)
      #expect(count.method.contains("estimate"))
      #expect(server.requests.isEmpty)
    }
  }

  @Test(
    "embeddings in each vendor's format",
    arguments: [VendorFixture.openAI, .mistral, .gemini, .cohere, .ollama, .llamaCpp])
  func embeddings(fixture: VendorFixture) async throws {
    let (path, answer): (String, String) =
      switch fixture.kind {
      case .gemini:
        (
          "/v1beta/models/gemini-embedding-001:batchEmbedContents",
          #"{"embeddings":[{"values":[0.5,0.25]},{"values":[1,0]}]}"#
        )
      case .cohere: ("/v2/embed", #"{"id":"e","embeddings":{"float":[[0.5,0.25],[1,0]]},"texts":["a","b"]}"#)
      case .ollama: ("/api/embed", #"{"model":"llama3.2","embeddings":[[0.5,0.25],[1,0]]}"#)
      case .llamacpp:
        (
          "/v1/embeddings",
          #"{"object":"list","data":[{"index":1,"embedding":[1,0]},{"index":0,"embedding":[0.5,0.25]}]}"#
        )
      default:
        (
          "/v1/embeddings",
          #"{"object":"list","data":[{"index":1,"embedding":[1,0]},{"index":0,"embedding":[0.5,0.25]}]}"#
        )
      }
    try await withVendor(
      fixture, handler: { _, writer in try await writer.respond(status: 200, body: answer) }
    ) { provider, server in
      let vectors = try await provider.embed(["a", "b"], model: nil)
      #expect(vectors == [[0.5, 0.25], [1, 0]])
      #expect(server.requests.first?.path == path)
    }
  }

  @Test("Anthropic has no embeddings API and says where to go")
  func anthropicEmbeddings() async throws {
    let fixture = VendorFixture.anthropic
    try await withVendor(fixture, handler: plainHandler(fixture)) { provider, _ in
      let error = await expectLTBError { _ = try await provider.embed(["a"], model: nil) }
      #expect(error?.code == .unsupportedCapability)
    }
  }

  @Test(
    "health checks use a cheap endpoint and report failures with their cause", arguments: VendorFixture.all)
  func health(fixture: VendorFixture) async throws {
    try await withVendor(fixture, handler: { _, writer in try await writer.respond(status: 200, body: "{}") })
    { provider, server in
      let status = await provider.healthCheck()
      #expect(status.healthy)
      #expect(server.requests.first?.method == "GET")
    }
    try await withVendor(
      fixture,
      handler: { _, writer in try await writer.respond(status: 401, body: fixture.errorBody(401, "bad key")) }
    ) {
      provider, _ in
      let status = await provider.healthCheck()
      #expect(status.healthy == false)
      #expect(status.detail.contains("bad key"))
    }
  }

  @Test("the API key never appears in error messages")
  func keyRedaction() async throws {
    let fixture = VendorFixture.openAI
    let echo =
      #"{"error":{"message":"Incorrect API key provided: \#(VendorFixture.apiKey)","type":"invalid_request_error"}}"#
    try await withVendor(fixture, handler: { _, writer in try await writer.respond(status: 401, body: echo) })
    { provider, _ in
      let error = await expectLTBError { _ = try await provider.complete(helloRequest) }
      #expect(error?.message.contains(VendorFixture.apiKey) == false)
      #expect(error?.message.contains("<redacted>") == true)
    }
  }
}

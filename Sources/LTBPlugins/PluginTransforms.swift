public import LTBCore

/// Runs request and response transform plugins in the order given. A transform that fails
/// (or is not installed, enabled, or of the right kind) fails the request it was given: a
/// benchmark never silently sends the untransformed prompt.
public struct PluginTransforms: Sendable {
  /// The registry plugins come from.
  public let registry: PluginRegistry

  /// Transforms over `registry`.
  public init(registry: PluginRegistry) { self.registry = registry }

  /// `request` rewritten by each request transform in `names`, in order. The plugin sees
  /// `{"messages": [{"role", "content"}], "system", "model", "config"}` and answers
  /// `{"messages": [...], "system": ...}`; only text-only requests can be transformed.
  public func request(_ request: CompletionRequest, through names: [String]) async throws -> CompletionRequest
  {
    var request = request
    for name in names {
      let plugin = try loaded(name, kind: .requestTransform)
      guard request.messages.allSatisfy(\.isTextOnly) else {
        throw LTBError(
          .unsupportedCapability, "request transform \(name) cannot rewrite a request with images or audio",
          fix: "remove the transform from suites with multimodal cases")
      }
      let messages = JSONValue.array(
        request.messages.map { .object(["role": .string($0.role.rawValue), "content": .string($0.text)]) })
      let input = JSONValue.object([
        "messages": messages, "system": request.system.map(JSONValue.string) ?? .null,
        "model": request.model.map(JSONValue.string) ?? .null, "config": plugin.configuration,
      ])
      let answer = try await call(plugin, input)
      guard let list = answer["messages"]?.arrayValue, !list.isEmpty else {
        throw failure(plugin, PluginCallError(.answer, "its answer has no messages"))
      }
      var rewritten: [Message] = []
      for item in list {
        guard let role = item["role"]?.stringValue.flatMap(Message.Role.init(rawValue:)),
          let text = item["content"]?.stringValue
        else {
          throw failure(
            plugin, PluginCallError(.answer, "each answered message needs a role and text content"))
        }
        rewritten.append(Message(role: role, text: text))
      }
      request.messages = rewritten
      if let system = answer["system"] { request.system = system.stringValue }
    }
    return request
  }

  /// `output` normalised by each response transform in `names`, in order. The plugin sees
  /// `{"output", "input", "config"}` and answers `{"output": "…"}`.
  public func response(_ output: String, prompt: String, through names: [String]) async throws -> String {
    var output = output
    for name in names {
      let plugin = try loaded(name, kind: .responseTransform)
      let answer = try await call(
        plugin,
        .object(["output": .string(output), "input": .string(prompt), "config": plugin.configuration]))
      guard let text = answer["output"]?.stringValue else {
        throw failure(plugin, PluginCallError(.answer, "its answer has no output string"))
      }
      output = text
    }
    return output
  }

  private func loaded(_ name: String, kind: PluginKind) throws -> LoadedPlugin {
    guard let plugin = registry.plugin(name) else {
      let reason = registry.problem(name).map { ": \($0)" } ?? ""
      throw LTBError(
        .configuration, "no enabled \(kind.rawValue) plugin named '\(name)'\(reason)",
        fix: "install it with `ltb plugins install`, or enable it")
    }
    guard plugin.manifest.kind == kind else {
      throw LTBError(
        .configuration, "plugin '\(name)' is a \(plugin.manifest.kind.rawValue), not a \(kind.rawValue)",
        fix: "list it under the right key of the suite's transforms")
    }
    return plugin
  }

  private func call(_ plugin: LoadedPlugin, _ input: JSONValue) async throws -> [String: JSONValue] {
    let result: Result<[String: JSONValue], PluginCallError>
    do {
      result = PluginABI.object(try await plugin.call(Array(input.serialized(sortedKeys: true).utf8)))
    } catch {
      result = .failure(error)
    }
    switch result {
    case .success(let object):
      await registry.record(plugin, failure: nil)
      return object
    case .failure(let error):
      throw failure(plugin, error)
    }
  }

  private func failure(_ plugin: LoadedPlugin, _ error: PluginCallError) -> LTBError {
    Task { await registry.record(plugin, failure: error) }
    return LTBError(
      .server, "\(plugin.label) failed: \(error.message)",
      fix: "check the plugin with `ltb plugins test \(plugin.manifest.name)`")
  }
}

/// What a plugin does, and the export the host calls for it.
public enum PluginKind: String, Sendable, Codable, CaseIterable {
  /// A custom metric: scores a response (assertion type `plugin:NAME`).
  case evaluator
  /// Rewrites a request before it is sent (a prompt template, a system prompt).
  case requestTransform = "request-transform"
  /// Normalises an answer before it is evaluated.
  case responseTransform = "response-transform"

  /// The export called for each call, unless the manifest names another.
  public var defaultEntry: String {
    switch self {
    case .evaluator: "ltb_evaluate"
    case .requestTransform: "ltb_transform_request"
    case .responseTransform: "ltb_transform_response"
    }
  }
}

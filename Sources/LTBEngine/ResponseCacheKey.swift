import Crypto
import Foundation
public import LTBCore

/// The response cache's key: SHA-256 of the fully resolved request (provider, model, system,
/// messages with their attachments, every parameter, response format, tools, logprobs).
public enum ResponseCacheKey {
  /// The key of `request` sent to `provider` with `model`.
  public static func key(provider: String, model: String, request: CompletionRequest, stream: Bool) -> String
  {
    var resolved = request
    resolved.model = model
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let body = (try? encoder.encode(resolved)) ?? Data()
    var hasher = SHA256()
    hasher.update(data: Data("\(provider)\u{0}\(model)\u{0}\(stream)\u{0}".utf8))
    hasher.update(data: body)
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }
}

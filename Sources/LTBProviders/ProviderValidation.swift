import Foundation
import LTBCore

/// Checks of a provider's settings that need no network.
enum ProviderValidation {
  static func validate(_ settings: ProviderSettings) throws {
    guard let url = URL(string: settings.baseURL), let scheme = url.scheme,
      ["http", "https"].contains(scheme),
      url.host != nil
    else {
      throw LTBError(
        .configuration, "providers.\(settings.name).base_url '\(settings.baseURL)' is not an http(s) URL",
        fix: "set it to the API's address, e.g. \(settings.kind.defaultBaseURL)")
    }
    if settings.kind.requiresAPIKey, settings.apiKey?.value.isEmpty ?? true {
      let variable =
        settings.apiKeyOrigin ?? settings.kind.defaultAPIKeyEnvironmentVariable ?? "an API key variable"
      throw LTBError(
        .configuration, "provider '\(settings.name)' has no API key (\(variable) is not set)",
        fix: "export the key, or set providers.\(settings.name).api_key_env or api_key_file")
    }
  }
}

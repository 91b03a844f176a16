import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBProviders

/// `ltb providers list|check`.
struct ProvidersCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "providers", abstract: "List and check the configured providers.",
    subcommands: [List.self, Check.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Configured providers with models, capabilities and health.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Skip the health checks (no network).")
    var noHealth = false

    func run() async throws {
      let configuration = try global.loadConfiguration()
      let registry = try await global.makeRegistry(configuration)
      let health = noHealth ? [:] : await registry.healthCheckAll()
      for name in await registry.list() {
        guard let provider = await registry.get(name) else { continue }
        let capabilities = Capability.allCases.filter { provider.capabilities.has($0) }.map(\.rawValue)
        print(
          "\(name)  [\(provider.kind.rawValue)]  \(provider.capabilities.maxContextLength > 0 ? "max context \(provider.capabilities.maxContextLength)" : "")"
        )
        print("  capabilities: \(capabilities.joined(separator: ", "))")
        let models = provider.supportedModels()
        if !models.isEmpty {
          print("  models:")
          for model in models {
            let pricing = model.pricing
            var price = String(
              format: "$%.4g / $%.4g per 1M tokens", pricing.inputPerMillion, pricing.outputPerMillion)
            if let audio = pricing.audioInputPerMillion { price += String(format: ", audio in $%.4g", audio) }
            if let image = pricing.imageInputPerMillion {
              price += String(format: ", images in $%.4g", image)
            }
            if let perMinute = pricing.audioPerMinute {
              price += String(format: ", $%.4g per audio minute", perMinute)
            }
            if model.capabilities.contains(.vision),
              let rule = pricing.imageTokens ?? .vendorDefault(model.kind)
            {
              price += ", images counted as \(rule.catalogText)"
            }
            print("    \(model.id)  context \(model.contextLength)  \(price)")
          }
        }
        if let status = health[name] {
          print(
            "  health: \(status.healthy ? "ok" : "unavailable") (\(Console.milliseconds(status.latencyMilliseconds)))\(status.healthy ? "" : ": \(status.detail)")"
          )
        }
      }
      for name in configuration.disabledProviders { print("\(name)  (disabled)") }
      await registry.shutdown()
    }
  }

  struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that providers are reachable and their keys accepted.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The provider to check; all when omitted.")
    var name: String?

    func run() async throws {
      let configuration = try global.loadConfiguration()
      let registry = try await global.makeRegistry(configuration)
      var names = await registry.list()
      if let name { names = [try await registry.require(name).name] }
      var failures = 0
      for name in names {
        guard let provider = await registry.get(name) else { continue }
        let status = await provider.healthCheck()
        if !status.healthy { failures += 1 }
        print(
          "\(status.healthy ? "ok  " : "FAIL") \(name)  \(Console.milliseconds(status.latencyMilliseconds))  \(status.healthy ? "" : status.detail)"
        )
      }
      await registry.shutdown()
      if failures > 0 {
        throw LTBError(
          .network, "\(failures) of \(names.count) provider\(names.count == 1 ? "" : "s") failed the check",
          fix: "see the lines above")
      }
    }
  }
}

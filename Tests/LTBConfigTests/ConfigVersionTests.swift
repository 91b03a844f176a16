import Foundation
import LTBConfig
import LTBCore
import Testing

@Suite("Configuration v5: version, renamed keys, feature flags")
struct ConfigVersionTests {
  @Test(
    "a file without version is read as version 5 with a notice; 5 is quiet; later and earlier ones are refused"
  )
  func version() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write("work/ltb.toml", "[general]\nlog_level = \"debug\"\n")
    let unversioned = try sandbox.loader().load()
    #expect(unversioned.logLevel == "debug")
    #expect(unversioned.notices.map(\.kind) == [.unversioned])
    #expect(unversioned.notices.first?.message.contains("add `version = 5`") == true)

    try sandbox.write("work/ltb.toml", "version = 5\n[general]\nlog_level = \"debug\"\n")
    #expect(try sandbox.loader().load().notices.isEmpty)

    try sandbox.write("work/ltb.toml", "version = 6\n[general]\nlog_level = \"debug\"\n")
    let (_, newer) = sandbox.loader().loadCollectingIssues()
    #expect(newer.count == 1)
    #expect(newer.first?.key == "version")
    #expect(newer.first?.problem.contains("version 6") == true)
    #expect(newer.first?.fix.contains("upgrade ltb") == true)

    try sandbox.write("work/ltb.toml", "version = 4\n")
    let (_, older) = sandbox.loader().loadCollectingIssues()
    #expect(older.first?.fix.contains("ltb config migrate") == true)

    try sandbox.write("work/ltb.toml", "version = \"5\"\n")
    #expect(sandbox.loader().loadCollectingIssues().1.first?.problem.contains("expected an integer") == true)
  }

  @Test("[observability] and general.database still work, each with a notice naming the new key")
  func renamedKeys() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write(
      "work/ltb.toml",
      "version = 5\n[general]\ndatabase = \"sqlite:/tmp/old.sqlite\"\n\n[observability]\ntraces = true\nsample_ratio = 0.5\n"
    )
    let configuration = try sandbox.loader().load()
    #expect(configuration.database == "sqlite:/tmp/old.sqlite")
    #expect(configuration.tracing.enabled)
    #expect(configuration.tracing.sampleRatio == 0.5)
    let messages = configuration.notices.map(\.message)
    #expect(configuration.notices.allSatisfy { $0.kind == .deprecated })
    #expect(
      messages.contains {
        $0.contains("general.database is deprecated") && $0.contains("write storage.database")
      })
    #expect(messages.contains { $0.contains("observability.traces") && $0.contains("monitoring.traces") })
    // Each notice names the line of the old key.
    #expect(configuration.notices.contains { "\($0.origin)".hasSuffix("ltb.toml:3") })
    #expect(configuration.document.value(at: ["observability"]) == nil)

    // Both set: the new key wins, the old one is reported as ignored.
    try sandbox.write(
      "work/ltb.toml",
      "version = 5\n[storage]\ndatabase = \"sqlite:/tmp/new.sqlite\"\n[general]\ndatabase = \"sqlite:/tmp/old.sqlite\"\n"
    )
    let both = try sandbox.loader().load()
    #expect(both.database == "sqlite:/tmp/new.sqlite")
    #expect(both.notices.first?.message.contains("ignored here because storage.database is also set") == true)

    // The old variables, including the _FILE form, still work with a notice naming the new one.
    let secret = try sandbox.write("url", "sqlite:/tmp/from-file.sqlite\n")
    try sandbox.write("work/ltb.toml", "version = 5\n")
    let variables = try sandbox.loader([
      "LTB_GENERAL__DATABASE_FILE": secret, "LTB_OBSERVABILITY__TRACES": "true",
    ]).load()
    #expect(variables.database == "sqlite:/tmp/from-file.sqlite")
    #expect(variables.tracing.enabled)
    #expect(variables.notices.map(\.message).contains { $0.contains("set LTB_STORAGE__DATABASE_FILE") })
    #expect(variables.notices.map(\.message).contains { $0.contains("set LTB_MONITORING__TRACES") })
    // The new variable wins over the old.
    let both2 = try sandbox.loader(["LTB_OBSERVABILITY__TRACES": "true", "LTB_MONITORING__TRACES": "false"])
      .load()
    #expect(both2.tracing.enabled == false)
  }

  @Test("each notice is shown once per process")
  func noticesOnce() {
    let notice = ConfigNotice(.deprecated, origin: .builtIn, "once-\(UUID().uuidString)")
    #expect(ConfigNotice.unseen([notice, notice]) == [notice])
    #expect(ConfigNotice.unseen([notice]).isEmpty)
  }

  @Test(
    "feature flags: the spec's defaults, set by [features] and LTB_FEATURES__*, new_providers gates providers"
  )
  func features() throws {
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    let defaults = try sandbox.loader().load().features
    #expect(defaults == FeatureFlags())
    #expect(
      !defaults.isEnabled(.plugins) && !defaults.isEnabled(.distributed) && !defaults.isEnabled(.multimodal))
    #expect(
      defaults.isEnabled(.realtime) && defaults.isEnabled(.graphql) && defaults.isEnabled(.newProviders))

    try sandbox.write("work/ltb.toml", "version = 5\n[features]\nplugins = true\nnew_providers = false\n")
    let configured = try sandbox.loader(["LTB_FEATURES__REALTIME": "false"]).load()
    #expect(configured.features.isEnabled(.plugins))
    #expect(!configured.features.isEnabled(.realtime))
    #expect(configured.featureDisabledProviders == ["cohere", "gemini", "llamacpp", "mistral", "ollama"])
    #expect(configured.providers.map(\.name) == ["anthropic", "openai"])
    #expect {
      try configured.provider("llamacpp")
    } throws: { error in
      let error = error as? LTBError
      return error?.code == .featureDisabled && error?.fix?.contains("features.new_providers = true") == true
    }
    #expect(LTBError.Code.featureDisabled.graphQLCode == "FEATURE_DISABLED")
    #expect(LTBError.Code.featureDisabled.httpStatus == 404)

    let issues = sandbox.loader(["LTB_FEATURES__PLUGIN": "true"]).loadCollectingIssues().1
    #expect(issues.first?.fix == "did you mean 'plugins'?")
  }

  @Test("the new sections are documented, defaulted and validated")
  func sections() throws {
    let file = ConfigSchema.documentedFile()
    for table in ["[storage]", "[monitoring]", "[distributed]", "[multimodal]", "[features]", "version = 5"] {
      #expect(file.contains(table), "\(table)")
    }
    let sandbox = try Sandbox()
    defer { sandbox.cleanUp() }
    try sandbox.write(
      "work/ltb.toml",
      "version = 5\n[distributed]\ngrpc_port = 7000\nlease_ms = 2000\nworker_max_concurrency = 8\n[multimodal]\nmax_attachment_bytes = 4096\n"
    )
    let configuration = try sandbox.loader().load()
    #expect(
      configuration.distributed
        == DistributedDefaults(grpcHost: "", grpcPort: 7000, leaseMilliseconds: 2000, workerMaxConcurrency: 8)
    )
    #expect(configuration.maxAttachmentBytes == 4096)
    try sandbox.write("work/ltb.toml", "version = 5\n[distributed]\ngrpc_port = 70000\n")
    let issue = sandbox.loader().loadCollectingIssues().1.first
    #expect(issue?.key == "distributed.grpc_port")
    #expect("\(issue?.origin ?? .builtIn)".hasSuffix("ltb.toml:3"))
  }
}

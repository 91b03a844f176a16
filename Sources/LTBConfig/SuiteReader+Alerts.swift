import Foundation
import LTBCore

/// Alert rules and channels as files write them (a suite's `alerts:`, the configuration's
/// `[[alerts.rules]]` and `[alerts.channels.NAME]`), snake_case keys, durations as `"30s"`,
/// `"500ms"`, `"5m"`, `"1h"` or a number of seconds.
extension SuiteReader {
  static let ruleKeys = [
    "name", "metric", "statistic", "score", "condition", "threshold", "baseline_session", "window",
    "min_samples",
    "for", "severity", "cooldown", "session", "provider", "model", "channels", "message", "enabled",
  ]
  static let channelKeys = [
    "type", "url", "secret", "secret_env", "timeout_ms", "max_attempts", "host", "port", "security",
    "ca_file",
    "username", "password_env", "from", "to",
  ]

  /// One rule.
  func alertRule(_ value: JSONValue, _ keyPath: [String]) throws -> AlertRule {
    let members = try object(value, keyPath, known: Self.ruleKeys)
    guard let name = try text(members, "name", keyPath), !name.isEmpty else {
      throw error(keyPath + ["name"], "every alert rule needs a name", "add name = \"slow-ttft\"")
    }
    let metric = try choice(members, "metric", keyPath, AlertMetric.self, required: true) ?? .ttft
    guard let threshold = try number(members, "threshold", keyPath, range: -1e15...1e15) else {
      throw error(keyPath + ["threshold"], "every alert rule needs a threshold", "add threshold = 500")
    }
    let window: AlertWindow
    switch members["window"] {
    case nil, .null?: window = .requests(100)
    case .int(let count)?:
      guard (1...AlertRule.maxWindowRequests).contains(count) else {
        throw error(keyPath + ["window"], "\(count) requests is out of range", "use 1 to 100000 requests")
      }
      window = .requests(count)
    case let other?:
      window = .seconds(try seconds(other, keyPath + ["window"], range: 0.001...AlertRule.maxWindowSeconds))
    }
    let session = try text(members, "session", keyPath)
    let baseline = try text(members, "baseline_session", keyPath)
    for (key, id) in [("session", session), ("baseline_session", baseline)]
    where id != nil && UUID(uuidString: id!) == nil {
      throw error(keyPath + [key], "'\(id!.prefix(40))' is not a session id", "write the session's UUID")
    }
    let rule = AlertRule(
      name: name, metric: metric,
      statistic: try choice(members, "statistic", keyPath, AlertStatistic.self) ?? .p99,
      score: try text(members, "score", keyPath),
      condition: try choice(members, "condition", keyPath, AlertCondition.self) ?? .above,
      threshold: threshold,
      baselineSession: baseline.flatMap(UUID.init(uuidString:)), window: window,
      minSamples: try integer(members, "min_samples", keyPath, range: 1...AlertRule.maxWindowRequests) ?? 10,
      forSeconds: try members["for"].map { try seconds($0, keyPath + ["for"], range: 0...86_400) } ?? 0,
      severity: try choice(members, "severity", keyPath, AlertSeverity.self) ?? .warning,
      cooldownSeconds: try members["cooldown"].map {
        try seconds($0, keyPath + ["cooldown"], range: 0...604_800)
      }
        ?? 300,
      labels: AlertLabels(
        session: session.flatMap(UUID.init(uuidString:)), provider: try text(members, "provider", keyPath),
        model: try text(members, "model", keyPath)),
      channels: try texts(members, "channels", keyPath) ?? [],
      message: try text(members, "message", keyPath) ?? "",
      enabled: try flag(members, "enabled", keyPath) ?? true)
    do {
      try rule.check(channels: Set(rule.channels))
    } catch let failure as LTBError {
      throw error(keyPath, failure.message, failure.fix ?? "")
    }
    return rule
  }

  /// One channel named `name`; secrets named by `*_env` are read from `environment`.
  func alertChannel(name: String, _ value: JSONValue, _ keyPath: [String], environment: [String: String])
    throws
    -> AlertChannelSettings
  {
    let members = try object(value, keyPath, known: Self.channelKeys)
    guard let kind = try choice(members, "type", keyPath, AlertChannelSettings.Kind.self, required: true)
    else {
      throw error(keyPath + ["type"], "missing", "set type")
    }
    func secret(_ key: String) throws -> String {
      guard let variable = try text(members, key, keyPath) else { return "" }
      guard let value = environment[variable], !value.isEmpty else {
        throw error(keyPath + [key], "the environment has no \(variable)", "export \(variable)=...")
      }
      return value
    }
    var settings = AlertChannelSettings(
      name: name, kind: kind, url: try text(members, "url", keyPath) ?? "",
      secret: try text(members, "secret", keyPath) ?? secret("secret_env"),
      timeout: .milliseconds(try integer(members, "timeout_ms", keyPath, range: 100...600_000) ?? 10_000),
      maxAttempts: try integer(members, "max_attempts", keyPath, range: 1...20) ?? 5)
    if kind == .email {
      guard let host = try text(members, "host", keyPath), let from = try text(members, "from", keyPath),
        let to = try texts(members, "to", keyPath), !to.isEmpty
      else {
        throw error(
          keyPath, "an email channel needs host, from and to", "add host, from and to = [\"ops@example.org\"]"
        )
      }
      for address in [from] + to
      where !address.contains("@") || address.contains(where: { "<>\r\n ".contains($0) }) {
        throw error(keyPath, "'\(address.prefix(80))' is not an e-mail address", "write name@domain")
      }
      settings.smtp = SMTPSettings(
        host: host, port: try integer(members, "port", keyPath, range: 1...65_535) ?? 587,
        security: try choice(members, "security", keyPath, SMTPSettings.Security.self) ?? .starttls,
        caFile: try text(members, "ca_file", keyPath) ?? "",
        username: try text(members, "username", keyPath) ?? "",
        password: try secret("password_env"), from: from, to: to)
    } else {
      guard let url = URL(string: settings.url), ["http", "https"].contains(url.scheme ?? ""), url.host != nil
      else {
        throw error(
          keyPath + ["url"], "a \(kind.rawValue) channel needs an http(s) URL",
          kind == .alertmanager
            ? "set url = \"http://alertmanager:9093\"" : "set url to the webhook's address")
      }
    }
    return settings
  }

  /// A value among an enumeration's raw values.
  func choice<T: RawRepresentable & CaseIterable>(
    _ members: [String: JSONValue], _ key: String, _ keyPath: [String], _ type: T.Type, required: Bool = false
  ) throws -> T? where T.RawValue == String {
    guard let raw = try text(members, key, keyPath) else {
      if required {
        throw error(
          keyPath + [key], "missing",
          "set \(key) to one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      return nil
    }
    guard let value = T(rawValue: raw) else {
      let known = T.allCases.map(\.rawValue)
      throw error(
        keyPath + [key], "unknown \(key) '\(raw.prefix(40))'",
        EditDistance.suggestion(for: raw, among: known).map { "did you mean '\($0)'?" }
          ?? "use one of \(known.joined(separator: ", "))")
    }
    return value
  }

  func flag(_ members: [String: JSONValue], _ key: String, _ keyPath: [String]) throws -> Bool? {
    guard let value = members[key], value != .null else { return nil }
    guard case .bool(let flag) = value else {
      throw error(keyPath + [key], "expected true or false", "write \(key) = true")
    }
    return flag
  }

  /// A duration: a number of seconds, or text with a unit (`500ms`, `30s`, `5m`, `1h`).
  func seconds(_ value: JSONValue, _ keyPath: [String], range: ClosedRange<Double>) throws -> Double {
    var seconds: Double?
    if let number = value.doubleValue, value.stringValue == nil {
      seconds = number
    } else if let text = value.stringValue?.trimmingCharacters(in: .whitespaces).lowercased() {
      for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3_600.0)]
      where text.hasSuffix(suffix) {
        if let number = Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) {
          seconds = number * scale
          break
        }
      }
    }
    guard let seconds, range.contains(seconds) else {
      throw error(
        keyPath, "'\(value.stringValue ?? "\(value)")' is not a duration in range",
        "write a duration such as \"30s\", \"500ms\" or \"5m\" (\(range.lowerBound)-\(range.upperBound) s)")
    }
    return seconds
  }
}

public import Foundation
public import LTBCore
import Yams

/// Reads a suite file (YAML or TOML) into a ``BenchmarkSuite``; every problem names the file,
/// the line and the fix. Dataset paths are resolved against the suite file's folder.
public enum SuiteLoader {
  static let topKeys = [
    "name", "description", "datasets", "targets", "matrix", "assertions", "repeats", "concurrency", "load",
    "stop", "timeout_ms",
    "slo", "cache", "stream", "tags", "judge", "embedding", "alerts", "transforms",
  ]
  static let transformKeys = ["request", "response"]
  static let judgeKeys = ["provider", "model", "temperature"]
  static let embeddingKeys = ["provider", "model"]
  static let targetKeys = ["provider", "model", "models", "parameters", "task"]
  static let parameterKeys = [
    "temperature", "top_p", "top_k", "max_tokens", "stop", "seed", "presence_penalty", "frequency_penalty",
  ]
  static let loadKeys = [
    "pattern", "rate", "concurrency", "seed", "warmup", "sweep", "max_requests", "duration",
  ]
  static let sweepKeys = ["rates", "concurrencies", "requests", "duration"]
  static let stopKeys = [
    "max_requests", "max_duration", "max_error_rate", "min_requests_for_error_rate", "max_cost",
  ]
  static let sloKeys = ["ttft_ms", "e2e_ms", "tpot_ms", "min_tokens_per_second"]

  /// Loads a suite file.
  public static func load(path: String) throws -> BenchmarkSuite {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw LTBError(.invalidInput, "cannot read the suite file \(path)", fix: "check the path")
    }
    let lowered = path.lowercased()
    guard lowered.hasSuffix(".toml") || lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") else {
      throw LTBError(
        .invalidInput, "unknown suite format for \(path)", fix: "use a .yaml, .yml or .toml file")
    }
    return try load(
      text: text, origin: path, directory: URL(fileURLWithPath: path).deletingLastPathComponent(),
      toml: lowered.hasSuffix(".toml"),
      defaultName: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
  }

  /// Reads a suite from text (YAML, which includes JSON, or TOML); `origin` names it in errors
  /// and dataset paths resolve against `directory`.
  public static func load(
    text: String, origin: String, directory: URL, toml: Bool = false, defaultName: String = "suite"
  ) throws -> BenchmarkSuite {
    let path = origin
    let (value, lines): (JSONValue, ([String]) -> Int?)
    if toml {
      do {
        let parsed = try TOMLReader.parse(text, path: path)
        value = .object(parsed.values.mapValues(Self.json))
        lines = { parsed.locator.line(of: $0) }
      } catch {
        throw LTBError(.invalidInput, error.description)
      }
    } else {
      (value, lines) = try yaml(text, path: path)
    }
    var reader = SuiteReader(path: path, lines: lines)
    return try reader.suite(from: value, directory: directory, defaultName: defaultName)
  }

  /// Checks a suite built or changed outside a file (the command line's overrides) with the
  /// ranges a suite file is checked with, so that `--matrix top_p=5` is refused as `top_p: 5`
  /// would be; `origin` names where the values came from.
  public static func validate(_ suite: BenchmarkSuite, origin: String) throws {
    let reader = SuiteReader(path: origin, lines: { _ in nil })
    func json(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
    func json(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
    for target in suite.targets {
      let parameters = target.parameters
      _ = try reader.parameters(
        .object([
          "temperature": json(parameters.temperature), "top_p": json(parameters.topP),
          "top_k": json(parameters.topK), "max_tokens": json(parameters.maxTokens),
          "seed": json(parameters.seed),
          "presence_penalty": json(parameters.presencePenalty),
          "frequency_penalty": json(parameters.frequencyPenalty),
        ]), ["targets", target.provider, "parameters"])
    }
    _ = try reader.integer(["repeats": json(suite.repeats)], "repeats", [], range: 1...1_000_000)
    _ = try reader.integer(
      ["timeout_ms": json(suite.requestTimeoutMilliseconds)], "timeout_ms", [], range: 1...86_400_000)
    for phase in suite.load.phases {
      _ = try reader.integer(
        ["concurrency": json(phase.concurrency)], "concurrency", ["load"], range: 1...100_000)
      _ = try reader.number(["rate": json(phase.rate)], "rate", ["load"], range: 0.000_001...1e7)
    }
    let stop = suite.stop
    _ = try reader.number(
      ["max_error_rate": json(stop.maxErrorRate)], "max_error_rate", ["stop"], range: 0...1)
    _ = try reader.number(
      ["max_duration": json(stop.maxDurationSeconds)], "max_duration", ["stop"], range: 0.001...1e9)
    _ = try reader.number(["max_cost": json(stop.maxCostUSD)], "max_cost", ["stop"], range: 0...1e9)
    _ = try reader.integer(
      ["max_requests": json(stop.maxRequests)], "max_requests", ["stop"], range: 1...Int.max)
    let slo = suite.slo
    for (key, value) in [
      ("ttft_ms", slo.maxTimeToFirstTokenMs), ("e2e_ms", slo.maxEndToEndMs),
      ("tpot_ms", slo.maxTimePerOutputTokenMs),
      ("min_tokens_per_second", slo.minOutputTokensPerSecond),
    ] {
      _ = try reader.number([key: json(value)], key, ["slo"], range: 0...1e9)
    }
  }

  /// The deepest nesting a YAML suite may have: flow collections (`[[[`), chains of block
  /// sequences on one line (`- - -`) and indentation. The YAML reader recurses once per level,
  /// and a suite can come from an unauthenticated-sized API body; real suites nest a few levels.
  static let maxYAMLNesting = 64
  /// The widest indentation a YAML suite line may have, in columns.
  static let maxYAMLIndentation = 512

  /// Refuses YAML whose nesting could exhaust the reader's stack, naming the line.
  static func checkNesting(_ text: String, path: String) throws {
    var flow = 0
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var deepest = flow
      var characters = line.unicodeScalars[...]
      var indentation = 0
      while let first = characters.first, first == " " || first == "-" || first == "\t" {
        if first == "-", characters.dropFirst().first.map({ $0 != " " && $0 != "\t" }) ?? false { break }
        indentation += first == "-" ? Self.maxYAMLIndentation / Self.maxYAMLNesting : 1
        characters = characters.dropFirst()
      }
      var quote: Unicode.Scalar?
      var previous: Unicode.Scalar = " "
      scan: for character in characters {
        defer { previous = character }
        if let open = quote {
          if character == open { quote = nil }
          continue
        }
        switch character {
        case "\"", "'": quote = character
        case "#" where previous == " " || previous == "\t": break scan
        case "[", "{":
          flow += 1
          deepest = max(deepest, flow)
        case "]", "}": flow = max(0, flow - 1)
        default: continue
        }
      }
      if deepest > Self.maxYAMLNesting || indentation > Self.maxYAMLIndentation {
        throw LTBError(
          .invalidInput,
          "\(path), line \(number + 1): the suite nests more than \(Self.maxYAMLNesting) levels deep",
          fix: "write the suite with fewer nested lists and maps")
      }
    }
  }

  private static func yaml(_ text: String, path: String) throws -> (JSONValue, ([String]) -> Int?) {
    try checkNesting(text, path: path)
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch {
      throw LTBError(.invalidInput, "\(path): YAML syntax error: \(error)", fix: "correct the YAML")
    }
    guard let node else {
      throw LTBError(.invalidInput, "\(path) is empty", fix: "write a suite: name, datasets, targets")
    }
    var lines: [[String]: Int] = [:]
    func convert(_ node: Node, _ path: [String]) -> JSONValue {
      if let line = node.mark?.line { lines[path] = lines[path] ?? line }
      switch node {
      case .mapping(let mapping):
        var members: [String: JSONValue] = [:]
        for (key, value) in mapping {
          let name = key.string ?? ""
          if let line = key.mark?.line { lines[path + [name]] = line }
          members[name] = convert(value, path + [name])
        }
        return .object(members)
      case .sequence(let sequence):
        return .array(sequence.enumerated().map { convert($1, path + [String($0)]) })
      default:
        return YAMLScalar.convert(node)
      }
    }
    let value = convert(node, [])
    return (
      value,
      { path in
        var candidate = path
        while true {
          if let line = lines[candidate] { return line }
          if candidate.isEmpty { return nil }
          candidate.removeLast()
        }
      }
    )
  }

  static func json(_ value: ConfigValue) -> JSONValue {
    switch value {
    case .string(let text): .string(text)
    case .int(let number): .int(number)
    case .double(let number): .double(number)
    case .bool(let flag): .bool(flag)
    case .array(let items): .array(items.map(json))
    case .table(let members): .object(members.mapValues(json))
    }
  }
}

/// Plain YAML scalars as numbers, booleans and nulls where they read as such.
enum YAMLScalar {
  static func convert(_ node: Node) -> JSONValue {
    guard case .scalar(let scalar) = node else { return .null }
    guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
    if node.null != nil { return .null }
    if let flag = node.bool { return .bool(flag) }
    if let number = node.int { return .int(number) }
    if let number = node.float { return .double(number) }
    return .string(scalar.string)
  }
}

/// Typed, located access to a suite document.
struct SuiteReader {
  let path: String
  let lines: ([String]) -> Int?

  func error(_ keyPath: [String], _ problem: String, _ fix: String) -> LTBError {
    let location = lines(keyPath).map { "\(path):\($0)" } ?? path
    let key = keyPath.isEmpty ? "" : "\(keyPath.joined(separator: ".")): "
    return LTBError(.invalidInput, "\(location): \(key)\(problem)", fix: fix)
  }

  func object(_ value: JSONValue?, _ keyPath: [String], known: [String]) throws -> [String: JSONValue] {
    guard let value else { return [:] }
    guard case .object(let members) = value else {
      throw error(
        keyPath, "expected a table of settings", "write \(keyPath.last ?? "it") as key: value pairs")
    }
    for key in members.keys.sorted() where !known.contains(key) {
      let fix =
        EditDistance.suggestion(for: key, among: known).map { "did you mean '\($0)'?" }
        ?? "known keys: \(known.joined(separator: ", "))"
      throw error(keyPath + [key], "unknown key '\(key)'", fix)
    }
    return members
  }

  func number(_ members: [String: JSONValue], _ key: String, _ keyPath: [String], range: ClosedRange<Double>)
    throws -> Double?
  {
    guard let value = members[key], value != .null else { return nil }
    guard let number = value.doubleValue else {
      throw error(keyPath + [key], "expected a number", "write a number in \(range)")
    }
    guard range.contains(number) else {
      throw error(keyPath + [key], "\(number) is out of range", "write a number in \(range)")
    }
    return number
  }

  func integer(_ members: [String: JSONValue], _ key: String, _ keyPath: [String], range: ClosedRange<Int>)
    throws -> Int?
  {
    guard let value = members[key], value != .null else { return nil }
    guard let number = value.intValue else {
      throw error(keyPath + [key], "expected a whole number", "write an integer in \(range)")
    }
    guard range.contains(number) else {
      throw error(keyPath + [key], "\(number) is out of range", "write an integer in \(range)")
    }
    return number
  }

  func text(_ members: [String: JSONValue], _ key: String, _ keyPath: [String]) throws -> String? {
    guard let value = members[key], value != .null else { return nil }
    guard let text = value.stringValue else {
      throw error(keyPath + [key], "expected text", "write \(key) as a string")
    }
    return text
  }

  func texts(_ members: [String: JSONValue], _ key: String, _ keyPath: [String]) throws -> [String]? {
    guard let value = members[key], value != .null else { return nil }
    if let text = value.stringValue { return [text] }
    guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
      throw error(keyPath + [key], "expected a list of strings", "write \(key): [a, b]")
    }
    return items.compactMap(\.stringValue)
  }

  mutating func suite(from value: JSONValue, directory: URL, defaultName: String) throws -> BenchmarkSuite {
    let top = try object(value, [], known: SuiteLoader.topKeys)
    let datasetPaths = try texts(top, "datasets", []) ?? []
    guard !datasetPaths.isEmpty else {
      throw error(["datasets"], "the suite names no datasets", "add datasets: [path/to/cases.jsonl]")
    }
    let datasets = try datasetPaths.enumerated().map { index, relative in
      let url =
        relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : directory.appendingPathComponent(relative)
      guard FileManager.default.fileExists(atPath: url.path) else {
        throw error(
          ["datasets", String(index)], "the dataset '\(relative)' does not exist (looked at \(url.path))",
          "give a path relative to the suite file")
      }
      return url.standardizedFileURL.path
    }
    let targets = try self.targets(top)
    let repeats = try integer(top, "repeats", [], range: 1...1_000_000) ?? 1
    let load = try self.load(
      top["load"], concurrency: try integer(top, "concurrency", [], range: 1...100_000))
    let stopMembers = try object(top["stop"], ["stop"], known: SuiteLoader.stopKeys)
    let stop = StopConditions(
      maxRequests: try integer(stopMembers, "max_requests", ["stop"], range: 1...Int.max),
      maxDurationSeconds: try number(stopMembers, "max_duration", ["stop"], range: 0.001...1e9),
      maxErrorRate: try number(stopMembers, "max_error_rate", ["stop"], range: 0...1),
      minRequestsForErrorRate: try integer(
        stopMembers, "min_requests_for_error_rate", ["stop"], range: 1...Int.max) ?? 10,
      maxCostUSD: try number(stopMembers, "max_cost", ["stop"], range: 0...1e9))
    let sloMembers = try object(top["slo"], ["slo"], known: SuiteLoader.sloKeys)
    let slo = ServiceLevelObjectives(
      maxTimeToFirstTokenMs: try number(sloMembers, "ttft_ms", ["slo"], range: 0...1e9),
      maxEndToEndMs: try number(sloMembers, "e2e_ms", ["slo"], range: 0...1e9),
      maxTimePerOutputTokenMs: try number(sloMembers, "tpot_ms", ["slo"], range: 0...1e9),
      minOutputTokensPerSecond: try number(sloMembers, "min_tokens_per_second", ["slo"], range: 0...1e9))
    var cache = CacheMode.off
    if top["cache"] == .bool(false) {
      cache = .off  // YAML reads a bare `off` as false.
    } else if let mode = try text(top, "cache", []) {
      guard let parsed = CacheMode(rawValue: mode) else {
        throw error(["cache"], "unknown cache mode '\(mode)'", "use off, read-write or replay-only")
      }
      cache = parsed
    }
    var stream = true
    if let value = top["stream"] {
      guard let flag = value.boolValue else {
        throw error(["stream"], "expected true or false", "write stream: true")
      }
      stream = flag
    }
    var assertions: [JSONValue] = []
    if let value = top["assertions"] {
      guard let items = value.arrayValue, items.allSatisfy({ $0["type"]?.stringValue != nil }) else {
        throw error(
          ["assertions"], "expected a list of { type: ..., value: ... }", "give every assertion a type")
      }
      assertions = items
    }
    let judge = try object(top["judge"], ["judge"], known: SuiteLoader.judgeKeys)
    let embedding = try object(top["embedding"], ["embedding"], known: SuiteLoader.embeddingKeys)
    if top["judge"] != nil, judge["provider"]?.stringValue == nil {
      throw error(["judge"], "the judge needs a provider", "write judge: { provider: local, model: ... }")
    }
    let evaluation = EvaluationSettings(
      judgeProvider: try text(judge, "provider", ["judge"]), judgeModel: try text(judge, "model", ["judge"]),
      judgeTemperature: try number(judge, "temperature", ["judge"], range: 0...2),
      embeddingProvider: try text(embedding, "provider", ["embedding"]),
      embeddingModel: try text(embedding, "model", ["embedding"]))
    let transforms = try object(top["transforms"], ["transforms"], known: SuiteLoader.transformKeys)
    var suite = BenchmarkSuite(
      name: try text(top, "name", []) ?? defaultName, description: try text(top, "description", []),
      datasets: datasets,
      targets: targets, assertions: assertions, repeats: repeats, load: load, stop: stop,
      requestTimeoutMilliseconds: try integer(top, "timeout_ms", [], range: 1...86_400_000), slo: slo,
      cache: cache, stream: stream,
      tags: try texts(top, "tags", []) ?? [],
      evaluation: evaluation == EvaluationSettings() ? nil : evaluation, alerts: try alertRules(top["alerts"])
    )
    suite.transforms = PluginTransformNames(
      request: try texts(transforms, "request", ["transforms"]) ?? [],
      response: try texts(transforms, "response", ["transforms"]) ?? [])
    return suite
  }

  /// The suite's `alerts:`: a list of rules with unique names.
  func alertRules(_ value: JSONValue?) throws -> [AlertRule] {
    guard let value, value != .null else { return [] }
    guard let items = value.arrayValue else {
      throw error(
        ["alerts"], "expected a list of alert rules",
        "write alerts: [{name: ..., metric: ..., threshold: ...}]")
    }
    guard items.count <= 100 else {
      throw error(["alerts"], "\(items.count) rules is more than 100", "keep at most 100 rules per suite")
    }
    let rules = try items.enumerated().map { try alertRule($1, ["alerts", String($0)]) }
    if let repeated = Dictionary(grouping: rules, by: \.name).first(where: { $0.value.count > 1 })?.key {
      throw error(["alerts"], "two rules are named '\(repeated)'", "give each rule its own name")
    }
    return rules
  }

  private func targets(_ top: [String: JSONValue]) throws -> [BenchmarkTarget] {
    guard let items = top["targets"]?.arrayValue, !items.isEmpty else {
      throw error(
        ["targets"], "the suite names no targets",
        "add targets: [{ provider: llamacpp, model: smollm2-135m-instruct }]")
    }
    var targets: [BenchmarkTarget] = []
    for (index, item) in items.enumerated() {
      let keyPath = ["targets", String(index)]
      let members = try object(item, keyPath, known: SuiteLoader.targetKeys)
      guard let provider = try text(members, "provider", keyPath) else {
        throw error(keyPath, "the target names no provider", "add provider: NAME (a provider from ltb.toml)")
      }
      let models: [String?] = try texts(members, "models", keyPath) ?? [try text(members, "model", keyPath)]
      let parameters = try self.parameters(members["parameters"], keyPath + ["parameters"])
      var task = CompletionTask.chat
      if let name = try text(members, "task", keyPath) {
        guard let chosen = CompletionTask(rawValue: name) else {
          throw error(
            keyPath + ["task"], "'\(name)' is not a task",
            "use one of \(CompletionTask.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        task = chosen
      }
      for model in models {
        targets.append(BenchmarkTarget(provider: provider, model: model, parameters: parameters, task: task))
      }
    }
    guard let matrix = top["matrix"] else { return targets }
    let grid = try object(matrix, ["matrix"], known: SuiteLoader.parameterKeys)
    var expanded = targets
    for (key, value) in grid.sorted(by: { $0.key < $1.key }) {
      let values = value.arrayValue ?? [value]
      var next: [BenchmarkTarget] = []
      for target in expanded {
        for candidate in values {
          var parameters = try self.parameters(.object([key: candidate]), ["matrix"])
          parameters = parameters.filled(from: target.parameters)
          next.append(
            BenchmarkTarget(
              provider: target.provider, model: target.model, parameters: parameters, task: target.task))
        }
      }
      expanded = next
    }
    return expanded
  }

  func parameters(_ value: JSONValue?, _ keyPath: [String]) throws -> SamplingParameters {
    let members = try object(value, keyPath, known: SuiteLoader.parameterKeys)
    return SamplingParameters(
      temperature: try number(members, "temperature", keyPath, range: 0...2),
      topP: try number(members, "top_p", keyPath, range: 0...1),
      topK: try integer(members, "top_k", keyPath, range: 0...100_000),
      maxTokens: try integer(members, "max_tokens", keyPath, range: 1...10_000_000),
      stop: try texts(members, "stop", keyPath),
      seed: try integer(members, "seed", keyPath, range: Int.min...Int.max),
      presencePenalty: try number(members, "presence_penalty", keyPath, range: -2...2),
      frequencyPenalty: try number(members, "frequency_penalty", keyPath, range: -2...2))
  }

  /// The load phases. `concurrency` is the closed loop's size (default 1) and the open loop's
  /// cap on requests in flight (default 1024, high enough not to hold a rate back).
  private func load(_ value: JSONValue?, concurrency: Int?) throws -> LoadSettings {
    let members = try object(value, ["load"], known: SuiteLoader.loadKeys)
    var pattern = LoadPattern.closedLoop
    if let name = try text(members, "pattern", ["load"]) {
      guard let parsed = LoadPattern(rawValue: name) else {
        throw error(["load", "pattern"], "unknown pattern '\(name)'", "use closed-loop, constant or poisson")
      }
      pattern = parsed
    }
    let rate = try number(members, "rate", ["load"], range: 0.000_001...1e7)
    if pattern != .closedLoop, rate == nil {
      throw error(["load"], "the \(pattern.rawValue) pattern needs a rate", "add rate: REQUESTS_PER_SECOND")
    }
    let explicitConcurrency = try integer(members, "concurrency", ["load"], range: 1...100_000) ?? concurrency
    let base = LoadPhase(
      pattern: pattern, concurrency: explicitConcurrency ?? (pattern == .closedLoop ? 1 : 1_024),
      rate: rate, maxRequests: try integer(members, "max_requests", ["load"], range: 1...Int.max),
      maxDurationSeconds: try number(members, "duration", ["load"], range: 0.001...1e9))
    var phases = [base]
    if let sweepValue = members["sweep"] {
      let sweep = try object(sweepValue, ["load", "sweep"], known: SuiteLoader.sweepKeys)
      let requests = try integer(sweep, "requests", ["load", "sweep"], range: 1...Int.max)
      let duration = try number(sweep, "duration", ["load", "sweep"], range: 0.001...1e9)
      if let rates = sweep["rates"]?.arrayValue {
        guard pattern != .closedLoop else {
          throw error(
            ["load", "sweep", "rates"], "a rate sweep needs an open-loop pattern",
            "set pattern: constant or poisson")
        }
        phases = try rates.map { item in
          guard let rate = item.doubleValue, rate > 0 else {
            throw error(
              ["load", "sweep", "rates"], "rates must be positive numbers", "write rates: [5, 10, 20]")
          }
          return LoadPhase(
            pattern: pattern, concurrency: base.concurrency, rate: rate, maxRequests: requests,
            maxDurationSeconds: duration)
        }
      } else if let levels = sweep["concurrencies"]?.arrayValue {
        phases = try levels.map { item in
          guard let level = item.intValue, level > 0 else {
            throw error(
              ["load", "sweep", "concurrencies"], "concurrencies must be positive integers",
              "write concurrencies: [1, 2, 4]")
          }
          return LoadPhase(
            pattern: .closedLoop, concurrency: level, maxRequests: requests, maxDurationSeconds: duration)
        }
      } else {
        throw error(
          ["load", "sweep"], "a sweep needs rates or concurrencies",
          "write sweep: { rates: [5, 10] } or { concurrencies: [1, 4] }")
      }
    }
    let seed = try integer(members, "seed", ["load"], range: 0...Int.max) ?? 42
    return LoadSettings(
      phases: phases, warmupRequests: try integer(members, "warmup", ["load"], range: 0...Int.max) ?? 0,
      seed: UInt64(seed))
  }
}

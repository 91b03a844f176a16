/// What a benchmark runs: datasets × targets × repeats, under a load pattern, with stop
/// conditions, service-level objectives and a cache mode. Stored with its session, so that a
/// run can be resumed exactly.
public struct BenchmarkSuite: Sendable, Hashable, Codable {
  /// A name for the run.
  public var name: String
  /// What the run is for.
  public var description: String?
  /// Dataset files (absolute paths once resolved).
  public var datasets: [String]
  /// The provider × model × parameter combinations to run every case against.
  public var targets: [BenchmarkTarget]
  /// Checks applied to every case (interpreted by the evaluation layer).
  public var assertions: [JSONValue]
  /// How often each case runs against each target.
  public var repeats: Int
  /// How requests are released.
  public var load: LoadSettings
  /// When to stop early.
  public var stop: StopConditions
  /// The total limit for one request; `nil` keeps the provider's.
  public var requestTimeoutMilliseconds: Int?
  /// Objectives for goodput.
  public var slo: ServiceLevelObjectives
  /// Response cache behaviour.
  public var cache: CacheMode
  /// Stream responses (needed for TTFT and ITL).
  public var stream: Bool
  /// Labels stored with the session.
  public var tags: [String]
  /// The judge and embedding models that grade the answers.
  public var evaluation: EvaluationSettings?
  /// Alert rules watching this run only (besides the configuration's and the API's).
  public var alerts: [AlertRule]
  /// Transform plugins: request transforms rewrite each request before it is sent, response
  /// transforms normalise each answer before it is graded (the stored answer stays as sent).
  public var transforms: PluginTransformNames = PluginTransformNames()

  /// Creates a suite.
  public init(
    name: String, description: String? = nil, datasets: [String], targets: [BenchmarkTarget],
    assertions: [JSONValue] = [],
    repeats: Int = 1, load: LoadSettings = LoadSettings(), stop: StopConditions = StopConditions(),
    requestTimeoutMilliseconds: Int? = nil, slo: ServiceLevelObjectives = ServiceLevelObjectives(),
    cache: CacheMode = .off,
    stream: Bool = true, tags: [String] = [], evaluation: EvaluationSettings? = nil, alerts: [AlertRule] = []
  ) {
    self.name = name
    self.description = description
    self.datasets = datasets
    self.targets = targets
    self.assertions = assertions
    self.repeats = repeats
    self.load = load
    self.stop = stop
    self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
    self.slo = slo
    self.cache = cache
    self.stream = stream
    self.tags = tags
    self.evaluation = evaluation
    self.alerts = alerts
  }
}

extension BenchmarkSuite {
  /// Reads a suite; one stored before suites had alert rules has none.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      name: try container.decode(String.self, forKey: .name),
      description: try container.decodeIfPresent(String.self, forKey: .description),
      datasets: try container.decode([String].self, forKey: .datasets),
      targets: try container.decode([BenchmarkTarget].self, forKey: .targets),
      assertions: try container.decode([JSONValue].self, forKey: .assertions),
      repeats: try container.decode(Int.self, forKey: .repeats),
      load: try container.decode(LoadSettings.self, forKey: .load),
      stop: try container.decode(StopConditions.self, forKey: .stop),
      requestTimeoutMilliseconds: try container.decodeIfPresent(
        Int.self, forKey: .requestTimeoutMilliseconds),
      slo: try container.decode(ServiceLevelObjectives.self, forKey: .slo),
      cache: try container.decode(CacheMode.self, forKey: .cache),
      stream: try container.decode(Bool.self, forKey: .stream),
      tags: try container.decode([String].self, forKey: .tags),
      evaluation: try container.decodeIfPresent(EvaluationSettings.self, forKey: .evaluation),
      alerts: try container.decodeIfPresent([AlertRule].self, forKey: .alerts) ?? [])
    transforms =
      try container.decodeIfPresent(PluginTransformNames.self, forKey: .transforms) ?? PluginTransformNames()
  }
}

/// The transform plugins a suite runs, by name, in order.
public struct PluginTransformNames: Sendable, Hashable, Codable {
  /// Request transforms, applied before each request is sent.
  public var request: [String]
  /// Response transforms, applied to each answer before it is graded.
  public var response: [String]

  /// Creates the lists.
  public init(request: [String] = [], response: [String] = []) {
    self.request = request
    self.response = response
  }

  /// Whether there are none.
  public var isEmpty: Bool { request.isEmpty && response.isEmpty }
}

/// One provider, model and parameter set to run the cases against.
public struct BenchmarkTarget: Sendable, Hashable, Codable {
  /// The configured provider name.
  public var provider: String
  /// The model; `nil` uses the provider's default model.
  public var model: String?
  /// Sampling parameters for every request to this target.
  public var parameters: SamplingParameters
  /// What each request asks: a chat completion, or the transcript of the case's audio.
  public var task: CompletionTask

  /// Creates a target.
  public init(
    provider: String, model: String? = nil, parameters: SamplingParameters = SamplingParameters(),
    task: CompletionTask = .chat
  ) {
    self.provider = provider
    self.model = model
    self.parameters = parameters
    self.task = task
  }

  private enum CodingKeys: String, CodingKey {
    case provider, model, parameters, task
  }

  /// Decodes a target; one stored before targets had a task is a chat target.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    provider = try container.decode(String.self, forKey: .provider)
    model = try container.decodeIfPresent(String.self, forKey: .model)
    parameters = try container.decode(SamplingParameters.self, forKey: .parameters)
    task = try container.decodeIfPresent(CompletionTask.self, forKey: .task) ?? .chat
  }

  /// `provider/model` (with the parameters that vary, when `detail` is set).
  public var label: String { "\(provider)/\(model ?? "default")" }
}

/// How requests are released: one or more phases (several for a sweep), each with a pattern.
public struct LoadSettings: Sendable, Hashable, Codable {
  /// The phases, run one after the other; each runs every task unless it has its own limit.
  public var phases: [LoadPhase]
  /// Requests at the start of each phase excluded from its measurement window.
  public var warmupRequests: Int
  /// Seed for the Poisson arrival process.
  public var seed: UInt64

  /// Creates load settings.
  public init(phases: [LoadPhase] = [LoadPhase()], warmupRequests: Int = 0, seed: UInt64 = 42) {
    self.phases = phases
    self.warmupRequests = warmupRequests
    self.seed = seed
  }
}

/// One phase of load.
public struct LoadPhase: Sendable, Hashable, Codable {
  /// How request times are chosen.
  public var pattern: LoadPattern
  /// The most requests in flight at once (the closed loop's size; the open loop's cap).
  public var concurrency: Int
  /// Requests per second for the open-loop patterns.
  public var rate: Double?
  /// Stop the phase after this many requests (it runs every task otherwise).
  public var maxRequests: Int?
  /// Stop the phase after this many seconds.
  public var maxDurationSeconds: Double?

  /// Creates a phase.
  public init(
    pattern: LoadPattern = .closedLoop, concurrency: Int = 1, rate: Double? = nil, maxRequests: Int? = nil,
    maxDurationSeconds: Double? = nil
  ) {
    self.pattern = pattern
    self.concurrency = concurrency
    self.rate = rate
    self.maxRequests = maxRequests
    self.maxDurationSeconds = maxDurationSeconds
  }

  /// `closed-loop c=4`, `constant 10/s`, `poisson 10/s`.
  public var label: String {
    switch pattern {
    case .closedLoop: "closed-loop c=\(concurrency)"
    case .constantRate, .poisson:
      "\(pattern.rawValue) \(rate.map { String($0) } ?? "?")/s (max \(concurrency) in flight)"
    }
  }
}

/// How request times are chosen.
public enum LoadPattern: String, Sendable, Hashable, Codable, CaseIterable {
  /// A fixed number of workers, each sending its next request when the last finished.
  case closedLoop = "closed-loop"
  /// Requests at fixed intervals (open loop).
  case constantRate = "constant"
  /// Requests at exponentially distributed intervals (open loop, seeded).
  case poisson
}

/// When a run stops early.
public struct StopConditions: Sendable, Hashable, Codable {
  /// Stop after this many requests in all.
  public var maxRequests: Int?
  /// Stop after this many seconds in all.
  public var maxDurationSeconds: Double?
  /// Stop when the error rate exceeds this (0–1), once `minRequestsForErrorRate` have finished.
  public var maxErrorRate: Double?
  /// Requests needed before the error rate is judged.
  public var minRequestsForErrorRate: Int
  /// Stop when the cost of the models under test exceeds this many US dollars.
  public var maxCostUSD: Double?

  /// Creates stop conditions; `nil` disables each.
  public init(
    maxRequests: Int? = nil, maxDurationSeconds: Double? = nil, maxErrorRate: Double? = nil,
    minRequestsForErrorRate: Int = 10, maxCostUSD: Double? = nil
  ) {
    self.maxRequests = maxRequests
    self.maxDurationSeconds = maxDurationSeconds
    self.maxErrorRate = maxErrorRate
    self.minRequestsForErrorRate = minRequestsForErrorRate
    self.maxCostUSD = maxCostUSD
  }
}

/// Latency and rate objectives; a request meets them when it meets every one set (goodput).
public struct ServiceLevelObjectives: Sendable, Hashable, Codable {
  /// Time to first token at most this many milliseconds.
  public var maxTimeToFirstTokenMs: Double?
  /// End-to-end latency at most this many milliseconds.
  public var maxEndToEndMs: Double?
  /// Time per output token at most this many milliseconds.
  public var maxTimePerOutputTokenMs: Double?
  /// Output tokens per second (of this request) at least this.
  public var minOutputTokensPerSecond: Double?

  /// Creates objectives; `nil` disables each.
  public init(
    maxTimeToFirstTokenMs: Double? = nil, maxEndToEndMs: Double? = nil,
    maxTimePerOutputTokenMs: Double? = nil,
    minOutputTokensPerSecond: Double? = nil
  ) {
    self.maxTimeToFirstTokenMs = maxTimeToFirstTokenMs
    self.maxEndToEndMs = maxEndToEndMs
    self.maxTimePerOutputTokenMs = maxTimePerOutputTokenMs
    self.minOutputTokensPerSecond = minOutputTokensPerSecond
  }

  /// Whether any objective is set.
  public var isEmpty: Bool {
    maxTimeToFirstTokenMs == nil && maxEndToEndMs == nil && maxTimePerOutputTokenMs == nil
      && minOutputTokensPerSecond == nil
  }

  /// Whether `result` meets every objective set (a missing TTFT or E2E misses its objective).
  public func isMet(by result: BenchmarkResult) -> Bool {
    if let limit = maxTimeToFirstTokenMs, (result.timeToFirstTokenMs ?? .infinity) > limit { return false }
    if let limit = maxEndToEndMs, (result.endToEndMs ?? .infinity) > limit { return false }
    if let limit = maxTimePerOutputTokenMs, let tpot = result.timePerOutputTokenMs, tpot > limit {
      return false
    }
    if let minimum = minOutputTokensPerSecond {
      let seconds = (result.endToEndMs ?? result.durationMs) / 1_000
      let rate = seconds > 0 ? Double(result.usage?.outputTokens ?? 0) / seconds : 0
      if rate < minimum { return false }
    }
    return true
  }
}

/// What the response cache does.
public enum CacheMode: String, Sendable, Hashable, Codable, CaseIterable {
  /// Always call the provider.
  case off
  /// Answer from the cache when it has the exact request; record every live answer.
  case readWrite = "read-write"
  /// Answer only from the cache; a miss is an error (deterministic CI).
  case replayOnly = "replay-only"
}

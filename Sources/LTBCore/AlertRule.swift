public import Foundation

/// A condition on a live figure that raises an alert while it holds: "TTFT p99 above 500 ms over
/// the last 30 s, for 30 s". Defined in the configuration (`[[alerts.rules]]`), in a suite (for
/// that run) or through the API; evaluated on the event stream of the process that runs the
/// benchmark.
public struct AlertRule: Sendable, Hashable, Codable {
  /// The rule's id (configuration and suite rules get one derived from their name).
  public var id: UUID
  /// A unique name, used in notifications and as Alertmanager's `alertname`.
  public var name: String
  /// The figure watched.
  public var metric: AlertMetric
  /// How the window's values are summarized, for latency and score metrics.
  public var statistic: AlertStatistic
  /// The evaluation metric whose scores `metric: score` watches (e.g. `exact-match`).
  public var score: String?
  /// When the figure is a problem.
  public var condition: AlertCondition
  /// The bound: in the metric's unit for `above` and `below`, in percent of the baseline for
  /// `increase` and `decrease`.
  public var threshold: Double
  /// The finished session the figure is compared with, for `increase` and `decrease`.
  public var baselineSession: UUID?
  /// Which requests count: the last N, or those of the last N seconds.
  public var window: AlertWindow
  /// The fewest requests (or scores) in the window before the rule judges at all.
  public var minSamples: Int
  /// How long the condition must hold before the alert fires (0: at once).
  public var forSeconds: Double
  /// How serious it is.
  public var severity: AlertSeverity
  /// After firing, the same rule does not fire again for the same labels within this many seconds.
  public var cooldownSeconds: Double
  /// Which runs it watches: only this session, provider or model when set.
  public var labels: AlertLabels
  /// The notification channels (names under `[alerts.channels]`) it is sent to.
  public var channels: [String]
  /// The message; `{rule}`, `{metric}`, `{value}`, `{threshold}`, `{provider}`, `{model}` and
  /// `{session}` are filled in. Empty for the default sentence.
  public var message: String
  /// Whether it is evaluated.
  public var enabled: Bool

  /// Creates a rule (the last 100 requests, at least 10 of them, firing at once, severity
  /// warning, a five-minute cooldown).
  public init(
    id: UUID? = nil, name: String, metric: AlertMetric, statistic: AlertStatistic = .p99,
    score: String? = nil,
    condition: AlertCondition = .above, threshold: Double, baselineSession: UUID? = nil,
    window: AlertWindow = .requests(100), minSamples: Int = 10, forSeconds: Double = 0,
    severity: AlertSeverity = .warning, cooldownSeconds: Double = 300, labels: AlertLabels = AlertLabels(),
    channels: [String] = [], message: String = "", enabled: Bool = true
  ) {
    self.id = id ?? Self.id(forName: name)
    self.name = name
    self.metric = metric
    self.statistic = statistic
    self.score = score
    self.condition = condition
    self.threshold = threshold
    self.baselineSession = baselineSession
    self.window = window
    self.minSamples = max(1, minSamples)
    self.forSeconds = max(0, forSeconds)
    self.severity = severity
    self.cooldownSeconds = max(0, cooldownSeconds)
    self.labels = labels
    self.channels = channels
    self.message = message
    self.enabled = enabled
  }

  /// The id a named rule from a file gets: stable across restarts, so its alerts stay linked.
  public static func id(forName name: String) -> UUID {
    // FNV-1a over the name, twice with different seeds, as the 128 bits of a version-8 UUID.
    func fnv(_ seed: UInt64) -> UInt64 {
      var hash = seed
      for byte in name.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x100_0000_01b3
      }
      return hash
    }
    let high = fnv(0xcbf2_9ce4_8422_2325)
    let low = fnv(0x8422_2325_cbf2_9ce4)
    var bytes = [UInt8](repeating: 0, count: 16)
    for index in 0..<8 {
      bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
      bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
    }
    return UUID(bits: bytes, version: 8)
  }

  /// The sentence describing what the rule watches, e.g. `ttft p99 above 500`.
  public var summary: String {
    var figure = metric.rawValue
    if metric.takesStatistic { figure += " \(statistic.rawValue)" }
    if let score { figure += " of \(score)" }
    switch condition {
    case .above, .below:
      return
        "\(figure) \(condition.rawValue) \(NumberText.decimal(threshold, integralFraction: false))\(metric.unit)"
    case .increase:
      return
        "\(figure) more than \(NumberText.decimal(threshold, integralFraction: false))% above the baseline"
    case .decrease:
      return
        "\(figure) more than \(NumberText.decimal(threshold, integralFraction: false))% below the baseline"
    }
  }
}

/// The figures a rule can watch.
public enum AlertMetric: String, Sendable, Hashable, Codable, CaseIterable {
  /// Failed and timed-out requests over all requests in the window (0-1).
  case errorRate = "error_rate"
  /// Time to first token, ms.
  case ttft
  /// End-to-end latency, ms.
  case e2e
  /// Inter-token latency (time per output token after the first), ms.
  case itl
  /// Completed requests per second.
  case throughput
  /// Successful requests per second that met the suite's SLOs (all successful ones without SLOs).
  case goodput
  /// The session's cost so far, USD.
  case cost
  /// A score from grading (`score:` names the metric), 0-1.
  case score
  /// Tasks waiting in the distributed queue.
  case queueDepth = "queue_depth"
  /// Seconds since the least recently heard active worker's heartbeat.
  case workerHeartbeatAge = "worker_heartbeat_age"

  /// Whether a statistic (p50 ... mean) applies.
  public var takesStatistic: Bool { [.ttft, .e2e, .itl, .score].contains(self) }
  /// Whether it is read from the store (queue and workers) rather than from requests.
  public var isStoreWide: Bool { self == .queueDepth || self == .workerHeartbeatAge }
  /// The unit written after a threshold.
  public var unit: String {
    switch self {
    case .ttft, .e2e, .itl: " ms"
    case .throughput, .goodput: "/s"
    case .cost: " USD"
    case .workerHeartbeatAge: " s"
    case .errorRate, .score, .queueDepth: ""
    }
  }
}

/// How a window's values are summarized.
public enum AlertStatistic: String, Sendable, Hashable, Codable, CaseIterable {
  case p50, p90, p95, p99, mean, max, min

  /// The percentile (0-1) for the percentile statistics.
  public var quantile: Double? {
    switch self {
    case .p50: 0.5
    case .p90: 0.9
    case .p95: 0.95
    case .p99: 0.99
    case .mean, .max, .min: nil
    }
  }
}

/// When a figure is a problem.
public enum AlertCondition: String, Sendable, Hashable, Codable, CaseIterable {
  /// Above the threshold.
  case above
  /// Below the threshold.
  case below
  /// More than `threshold` percent above the baseline session's figure.
  case increase
  /// More than `threshold` percent below the baseline session's figure.
  case decrease

  /// Whether it compares with a baseline session.
  public var needsBaseline: Bool { self == .increase || self == .decrease }
}

/// Which requests a rule's figure is computed over.
public enum AlertWindow: Sendable, Hashable, Codable {
  /// The last N requests.
  case requests(Int)
  /// The requests that finished within the last N seconds.
  case seconds(Double)

  /// The window as written in a file: `100` requests or `"30s"`.
  public var text: String {
    switch self {
    case .requests(let count): "\(count) requests"
    case .seconds(let seconds): "\(NumberText.decimal(seconds, integralFraction: false))s"
    }
  }
}

/// Which runs a rule watches; an unset label matches every run.
public struct AlertLabels: Sendable, Hashable, Codable {
  /// One session.
  public var session: UUID?
  /// One provider (its configured name).
  public var provider: String?
  /// One model.
  public var model: String?

  /// Creates labels.
  public init(session: UUID? = nil, provider: String? = nil, model: String? = nil) {
    self.session = session
    self.provider = provider
    self.model = model
  }
}

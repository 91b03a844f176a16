public import Foundation
public import LTBCore

/// The rules' state machine, fed with finished requests and scores and asked, every tick, which
/// alerts start and stop. Pure: time comes in as seconds on a monotonic clock and as the wall
/// date to stamp alerts with, so that tests drive it exactly.
///
/// Requests are kept per group (session, provider, model) as long as the widest window needs
/// them; every rule is judged for each group its labels match. A rule fires when its condition
/// has held for `forSeconds` and its cooldown since the last firing has passed, and resolves as
/// soon as the condition stops holding (or its session ends).
public struct AlertEvaluator: Sendable {
  /// One request as the rules see it.
  struct Sample: Sendable {
    var at: Double
    var failed: Bool
    var ttft: Double?
    var e2e: Double?
    var itl: Double?
    var good: Bool
  }

  /// One group's requests, scores and spend.
  struct Group: Sendable {
    var samples: [Sample] = []
    var head = 0
    var scores: [String: [(at: Double, value: Double)]] = [:]
    var cost = 0.0
    var firstAt: Double?

    var live: ArraySlice<Sample> { samples[head...] }

    /// Takes one request.
    mutating func add(_ sample: Sample, cost: Double, count: Int, seconds: Double) {
      firstAt = firstAt ?? sample.at
      samples.append(sample)
      self.cost += cost
      trim(now: sample.at, count: count, seconds: seconds)
    }

    /// Takes one score.
    mutating func addScore(_ score: Double, metric: String, at now: Double, count: Int, seconds: Double) {
      scores[metric, default: []].append((now, score))
      trim(now: now, count: count, seconds: seconds)
    }

    /// Drops what no window reaches: older than `seconds` and beyond the last `count`.
    /// At most this many requests or scores are kept per group, whatever the windows ask
    /// (48 bytes each: 24 MB): a seconds window of a very busy run sees the newest of them.
    static let limit = 500_000

    mutating func trim(now: Double, count: Int, seconds: Double) {
      while samples.count - head > count,
        samples[head].at < now - seconds || samples.count - head > Self.limit
      {
        head += 1
      }
      if head > 4_096, head * 2 > samples.count {
        samples.removeFirst(head)
        head = 0
      }
      for (metric, values) in scores {
        var drop = 0
        while values.count - drop > count,
          values[drop].at < now - seconds || values.count - drop > Self.limit
        {
          drop += 1
        }
        if drop > 0 { scores[metric] = Array(values.dropFirst(drop)) }
      }
    }
  }

  /// One rule's state for one group.
  struct Instance: Sendable {
    var holdingSince: Double?
    var firing: AlertFiring?
    var lastFired: Double?
  }

  /// The rules judged.
  public private(set) var rules: [AlertRule]
  /// The baseline figure of each rule comparing with a baseline session.
  public var baselines: [UUID: Double] = [:]
  /// Tasks waiting in the distributed queue, when a rule watches it.
  public var queueDepth: Double?
  /// Seconds since the least recently heard active worker's heartbeat, when a rule watches it.
  public var workerHeartbeatAge: Double?
  private var groups: [AlertGroup: Group] = [:]
  private var instances: [AlertInstanceKey: Instance] = [:]
  private var keepCount = 0
  private var keepSeconds = 0.0

  /// An evaluator of `rules`.
  public init(rules: [AlertRule]) {
    self.rules = []
    configure(rules)
  }

  /// Alerts firing now.
  public var firing: [AlertFiring] {
    instances.values.compactMap(\.firing).sorted { $0.startedAt < $1.startedAt }
  }

  /// Whether any enabled rule watches the distributed queue or the workers.
  public var watchesStore: Bool { rules.contains { $0.enabled && $0.metric.isStoreWide } }

  /// Replaces the rules; the firing alerts of removed or changed rules are returned resolved.
  @discardableResult
  public mutating func replaceRules(_ new: [AlertRule], date: Date = Date()) -> [AlertTransition] {
    let kept = Dictionary(new.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    var transitions: [AlertTransition] = []
    for (key, instance) in instances where kept[key.rule] != rules.first(where: { $0.id == key.rule }) {
      if var firing = instance.firing {
        firing.resolvedAt = date
        transitions.append(.resolved(firing))
      }
      instances[key] = nil
    }
    configure(new)
    return transitions
  }

  private mutating func configure(_ new: [AlertRule]) {
    rules = new
    keepCount =
      new.map { rule in
        if case .requests(let count) = rule.window { count } else { rule.minSamples }
      }.max() ?? 0
    keepSeconds =
      new.map { rule in
        if case .seconds(let seconds) = rule.window { seconds } else { 0 }
      }.max() ?? 0
  }

  /// Takes one finished request (warm-ups are not measured and are ignored).
  public mutating func record(_ completion: TestCompletion, at now: Double) {
    guard !completion.warmup, !rules.isEmpty else { return }
    let key = AlertGroup(
      session: completion.sessionID, provider: completion.provider, model: completion.model)
    let sample = Sample(
      at: now, failed: completion.status == .failure || completion.status == .timeout,
      ttft: completion.timeToFirstTokenMs, e2e: completion.endToEndMs, itl: completion.timePerOutputTokenMs,
      good: completion.withinSLO)
    // In place: a copy of the group out of the dictionary would copy its samples on every request.
    groups[key, default: Group()].add(
      sample, cost: completion.costUsd, count: keepCount, seconds: keepSeconds)
  }

  /// Takes one score of a graded answer.
  public mutating func recordScore(_ score: Double, metric: String, group key: AlertGroup, at now: Double) {
    guard rules.contains(where: { $0.metric == .score && $0.score == metric }) else { return }
    groups[key, default: Group()].addScore(
      score, metric: metric, at: now, count: keepCount, seconds: keepSeconds)
  }

  /// A session ended: its firing alerts resolve and its requests are forgotten.
  public mutating func endSession(_ session: UUID, date: Date) -> [AlertTransition] {
    var transitions: [AlertTransition] = []
    for (key, instance) in instances where key.group.session == session {
      if var firing = instance.firing {
        firing.resolvedAt = date
        firing.note = "its run ended"
        transitions.append(.resolved(firing))
      }
      instances[key] = nil
    }
    for key in groups.keys where key.session == session { groups[key] = nil }
    return transitions
  }

  /// Judges every rule for every group it matches at `now`; returns what started and stopped.
  public mutating func evaluate(now: Double, date: Date) -> [AlertTransition] {
    var transitions: [AlertTransition] = []
    for rule in rules where rule.enabled {
      let keys =
        rule.metric.isStoreWide
        ? [AlertGroup.storeWide]
        : groups.keys.filter { rule.labels.matches($0) }
      for group in keys {
        let value = figure(rule, group: group, now: now)
        let holding = value.map { self.holds(rule, value: $0) } ?? false
        let key = AlertInstanceKey(rule: rule.id, group: group)
        var instance = instances[key] ?? Instance()
        if holding, let value {
          let since = instance.holdingSince ?? now
          instance.holdingSince = since
          if var firing = instance.firing {
            firing.value = value
            instance.firing = firing
          } else if now - since >= rule.forSeconds,
            instance.lastFired.map({ now - $0 >= rule.cooldownSeconds }) ?? true
          {
            let firing = AlertFiring(
              rule: rule, group: group, value: value, threshold: threshold(rule), startedAt: date)
            instance.firing = firing
            instance.lastFired = now
            transitions.append(.fired(firing))
          }
        } else {
          instance.holdingSince = nil
          if var firing = instance.firing {
            firing.resolvedAt = date
            if let value { firing.value = value }
            transitions.append(.resolved(firing))
            instance.firing = nil
          }
        }
        instances[key] = instance
      }
    }
    return transitions
  }

  /// The figure the rule compares: `nil` when the window holds too few requests to judge.
  func figure(_ rule: AlertRule, group key: AlertGroup, now: Double) -> Double? {
    switch rule.metric {
    case .queueDepth: return queueDepth
    case .workerHeartbeatAge: return workerHeartbeatAge
    default: break
    }
    guard let group = groups[key] else { return nil }
    if rule.metric == .score {
      guard let score = rule.score, let values = group.scores[score] else { return nil }
      let window: [Double]
      switch rule.window {
      case .requests(let count): window = values.suffix(count).map(\.value)
      case .seconds(let seconds): window = values.filter { $0.at >= now - seconds }.map(\.value)
      }
      return window.count >= rule.minSamples ? Self.statistic(rule.statistic, of: window) : nil
    }
    if rule.metric == .cost { return group.cost }
    let samples: ArraySlice<Sample>
    var span: Double
    switch rule.window {
    case .requests(let count):
      samples = group.live.suffix(count)
      span = now - (samples.first?.at ?? now)
    case .seconds(let seconds):
      let live = group.live
      let start = live.partitioningIndex { $0.at >= now - seconds }
      samples = live[start...]
      span = min(seconds, now - (group.firstAt ?? now))
    }
    guard samples.count >= rule.minSamples else { return nil }
    span = max(span, 0.001)
    switch rule.metric {
    case .errorRate: return Double(samples.count { $0.failed }) / Double(samples.count)
    case .throughput: return Double(samples.count) / span
    case .goodput: return Double(samples.count { $0.good }) / span
    case .ttft:
      return Self.statistic(rule.statistic, of: samples.compactMap(\.ttft), minimum: rule.minSamples)
    case .e2e: return Self.statistic(rule.statistic, of: samples.compactMap(\.e2e), minimum: rule.minSamples)
    case .itl: return Self.statistic(rule.statistic, of: samples.compactMap(\.itl), minimum: rule.minSamples)
    case .cost, .score, .queueDepth, .workerHeartbeatAge: return nil
    }
  }

  /// What the figure is compared with: the threshold, or the baseline moved by it.
  func threshold(_ rule: AlertRule) -> Double {
    switch rule.condition {
    case .above, .below: rule.threshold
    case .increase: (baselines[rule.id] ?? .nan) * (1 + rule.threshold / 100)
    case .decrease: (baselines[rule.id] ?? .nan) * (1 - rule.threshold / 100)
    }
  }

  func holds(_ rule: AlertRule, value: Double) -> Bool {
    let bound = threshold(rule)
    guard bound.isFinite else { return false }
    switch rule.condition {
    case .above, .increase: return value > bound
    case .below, .decrease: return value < bound
    }
  }

  /// The statistic of `values` (nearest rank for percentiles); `nil` below `minimum` values.
  public static func statistic(_ statistic: AlertStatistic, of values: [Double], minimum: Int = 1) -> Double?
  {
    var scratch = values
    return select(statistic, in: &scratch, minimum: minimum)
  }

  /// The statistic of `values`, which it may reorder.
  static func select(_ statistic: AlertStatistic, in values: inout [Double], minimum: Int) -> Double? {
    guard !values.isEmpty, values.count >= minimum else { return nil }
    switch statistic {
    case .mean: return values.reduce(0, +) / Double(values.count)
    case .max: return values.max()
    case .min: return values.min()
    case .p50, .p90, .p95, .p99:
      let rank = Int((statistic.quantile! * Double(values.count)).rounded(.up))
      return Selection.kthSmallest(&values, min(values.count - 1, max(0, rank - 1)))
    }
  }
}

extension ArraySlice {
  /// The first index whose element satisfies `belongs`, for a slice partitioned by it (all
  /// that fail first): a binary search.
  func partitioningIndex(where belongs: (Element) -> Bool) -> Index {
    var low = startIndex
    var high = endIndex
    while low < high {
      let middle = low + (high - low) / 2
      if belongs(self[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
  }
}

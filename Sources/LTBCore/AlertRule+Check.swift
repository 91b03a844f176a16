import Foundation

extension AlertRule {
  /// The largest window in requests, and in seconds, a rule may keep.
  public static let maxWindowRequests = 100_000
  /// The longest window in seconds.
  public static let maxWindowSeconds = 86_400.0

  /// Refuses a rule that cannot be judged, naming the field and the fix: an empty name, a
  /// non-finite threshold, a comparison without its baseline, a score rule without its metric,
  /// a window out of range, or a channel not among `channels`.
  public func check(channels: Set<String>) throws {
    func refuse(_ problem: String, _ fix: String) -> LTBError {
      LTBError(.invalidInput, "alert rule '\(name.prefix(80))': \(problem)", fix: fix)
    }
    if name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 200
      || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    {
      throw refuse("the name must be 1-200 printable characters", "give the rule a short name")
    }
    guard threshold.isFinite else {
      throw refuse("the threshold is not a number", "set threshold to a number")
    }
    if condition.needsBaseline, baselineSession == nil {
      throw refuse(
        "'\(condition.rawValue)' compares with a baseline session, and none is named",
        "set baseline_session to the id of a finished session")
    }
    if condition.needsBaseline, metric.isStoreWide || metric == .score {
      throw refuse(
        "\(metric.rawValue) cannot be compared with a baseline session", "use above or below with a threshold"
      )
    }
    if metric == .score, (score ?? "").isEmpty {
      throw refuse(
        "a score rule names the evaluation metric it watches", "set score, e.g. score = \"exact-match\"")
    }
    switch window {
    case .requests(let count) where !(1...Self.maxWindowRequests).contains(count):
      throw refuse(
        "a window of \(count) requests is out of range", "use 1 to \(Self.maxWindowRequests) requests")
    case .seconds(let seconds) where !(seconds > 0 && seconds <= Self.maxWindowSeconds):
      throw refuse("a window of \(seconds) s is out of range", "use a window from 1s to 86400s")
    default: break
    }
    if minSamples > Self.maxWindowRequests {
      throw refuse("min_samples is over \(Self.maxWindowRequests)", "lower min_samples")
    }
    if message.count > 2_000 { throw refuse("the message is over 2,000 characters", "shorten the message") }
    if let unknown = self.channels.first(where: { !channels.contains($0) }) {
      throw refuse(
        "there is no channel named '\(unknown.prefix(80))'",
        channels.isEmpty
          ? "configure one under [alerts.channels.\(unknown.prefix(40))], or remove it from channels"
          : "use one of \(channels.sorted().joined(separator: ", ")), or configure it under [alerts.channels]"
      )
    }
  }
}

import Foundation
public import LTBCore

/// When an open-loop phase sends its requests: at fixed intervals (constant rate) or at
/// exponentially distributed ones (a Poisson process), as offsets from the phase's start.
public struct ArrivalSchedule: Sendable {
  private let pattern: LoadPattern
  private let interval: Double
  private var generator: SeededGenerator
  private var elapsed: Double = 0
  private var issued = 0

  /// A schedule of `rate` requests per second; `seed` fixes the Poisson draws.
  public init(pattern: LoadPattern, rate: Double, seed: UInt64) {
    self.pattern = pattern
    self.interval = 1 / rate
    self.generator = SeededGenerator(seed: seed)
  }

  /// The offset of the next request from the phase's start.
  public mutating func next() -> Duration {
    defer { issued += 1 }
    switch pattern {
    case .constantRate, .closedLoop:
      return .nanoseconds(Int64((Double(issued) * interval * 1e9).rounded()))
    case .poisson:
      if issued > 0 {
        let uniform = Double(generator.next() >> 11) / Double(1 << 53)
        elapsed += -log(1 - uniform) * interval
      }
      return .nanoseconds(Int64((elapsed * 1e9).rounded()))
    }
  }
}

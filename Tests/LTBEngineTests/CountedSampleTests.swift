import Foundation
import Testing

@testable import LTBEngine

/// `CountedSample` against the value-by-value `Distribution` of the same values.
@Suite("Counted sample")
struct CountedSampleTests {
  /// The largest gap between a value and its bucket's midpoint: half a microsecond (the rounding)
  /// below 16.384 ms, then that and half a step of 1/8192 of the value's power of two (values just
  /// under 16.384 ms can round into the first stepped bucket).
  private func tolerance(_ value: Double) -> Double {
    value < 16.383 ? 0.000_5 : value / 8_192 + 0.000_5
  }

  @Test(
    "count, mean, deviation, min and max are exact; each percentile is within one bucket of numpy's, for samples of every shape"
  )
  func againstValueByValue() throws {
    var generator = SystemRandomNumberGenerator()
    let shapes: [(String, () -> Double)] = [
      ("bursts of zero and small gaps", { Bool.random(using: &generator) ? 0 : Double.random(in: 0..<0.05) }),
      ("ITL of a real stream", { Double.random(in: 5..<40, using: &generator) }),
      ("long tail", { exp(Double.random(in: -3..<9, using: &generator)) }),
      ("all equal", { 12.5 }),
      ("beyond 71 minutes", { Double.random(in: 0..<1e7, using: &generator) }),
    ]
    for (name, draw) in shapes {
      for size in [1, 2, 999, 1_000, 20_000] {
        let values = (0..<size).map { _ in draw() }
        var counted = CountedSample()
        for value in values { counted.add(value) }
        let exact = try #require(Distribution(values))
        let bucketed = try #require(counted.distribution)
        #expect(bucketed.count == exact.count, "\(name) n=\(size)")
        #expect(abs(bucketed.mean - exact.mean) <= 1e-9 * max(1, exact.mean), "\(name) n=\(size)")
        #expect(
          abs(bucketed.standardDeviation - exact.standardDeviation) <= 1e-6 * max(1, exact.standardDeviation),
          "\(name) n=\(size)")
        #expect(bucketed.min == exact.min && bucketed.max == exact.max, "\(name) n=\(size)")
        let pairs: [(Double, Double)] = [
          (bucketed.p50, exact.p50), (bucketed.p90, exact.p90), (bucketed.p95, exact.p95),
          (bucketed.p99, exact.p99),
        ]
        // Past 2^32 µs the last bucket holds everything: only the exact figures are compared.
        for (ours, theirs) in pairs where exact.max < 4_294_967 {
          #expect(abs(ours - theirs) <= tolerance(theirs), "\(name) n=\(size): \(ours) against \(theirs)")
        }
        #expect((bucketed.p999 == nil) == (exact.p999 == nil), "\(name) n=\(size)")
        if let ours = bucketed.p999, let theirs = exact.p999, exact.max < 4_294_967 {
          #expect(
            abs(ours - theirs) <= tolerance(theirs), "\(name) n=\(size): p99.9 \(ours) against \(theirs)")
        }
      }
    }
  }

  @Test("buckets are ordered, contiguous and hold their midpoint, across every power of two")
  func buckets() {
    var previous = -1
    var value = 0.0
    while value < 4_294_967 {
      let bucket = CountedSample.bucket(of: value)
      #expect(bucket >= previous, "\(value) ms")
      #expect(abs(CountedSample.midpoint(of: bucket) - value) <= tolerance(value), "\(value) ms")
      previous = bucket
      value = value < 20 ? value + 0.000_7 : value * 1.000_3
    }
  }

  @Test("an empty sample has no distribution; negative gaps count as zero, NaN and infinities not at all")
  func edges() throws {
    #expect(CountedSample().distribution == nil)
    var sample = CountedSample()
    sample.add(.nan)
    sample.add(.infinity)
    sample.add(-1)
    let distribution = try #require(sample.distribution)
    #expect(distribution.min == 0 && distribution.p50 == 0 && distribution.count == 1)
  }
}

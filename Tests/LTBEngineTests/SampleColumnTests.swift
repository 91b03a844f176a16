import Testing

@testable import LTBEngine

/// `SampleColumn` gives back exactly the values appended, sorted, across its block boundaries.
@Suite("Sample column")
struct SampleColumnTests {
  @Test("sizes on both sides of each block boundary come back sorted and complete; taking empties the column")
  func takeSorted() {
    var generator = SystemRandomNumberGenerator()
    for size in [0, 1, 1_023, 1_024, 1_025, 3_073, 200_000] {
      var column = SampleColumn()
      let values = (0..<size).map { _ in Double.random(in: -5..<5_000, using: &generator) }
      for value in values { column.append(value) }
      #expect(column.count == size)
      #expect(column.takeSorted() == values.sorted(), "size \(size)")
      #expect(column.count == 0 && column.takeSorted().isEmpty)
    }
  }
}

import Foundation
import LTBCore
import Testing

/// Version-7 ids: the layout RFC 9562 gives, unique, and ordered by time as text.
@Suite("Time-ordered UUIDs")
struct TimeOrderedUUIDTests {
  @Test("version 7, RFC variant, the millisecond in the first 48 bits")
  func layout() {
    let date = Date(timeIntervalSince1970: 1_790_000_000.123)
    let id = UUID.timeOrdered(at: date)
    let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
    #expect(bytes[6] >> 4 == 7)
    #expect(bytes[8] >> 6 == 0b10)
    let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    #expect(milliseconds == 1_790_000_000_123)
    #expect(id.uuidString.hasPrefix("01A0C450-6C7B-7"))
  }

  @Test("ids made later sort later as text, and 100,000 ids are distinct")
  func ordering() {
    let earlier = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_790_000_000))
    let later = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_790_000_000.002))
    #expect(earlier.uuidString < later.uuidString)
    let now = Date()
    let ids = (0..<100_000).map { _ in UUID.timeOrdered(at: now) }
    #expect(Set(ids).count == ids.count)
  }
}

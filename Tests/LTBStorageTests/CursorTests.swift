import Foundation
import LTBCore
import Testing

@testable import LTBStorage

/// Page cursors: the text of the sort value is `NumberText.decimal`'s, and a cursor reads back
/// as the value and id it was made of.
@Suite("Page cursors")
struct CursorTests {
  @Test("the value is written as NumberText writes it, and a cursor reads back")
  func roundTrip() throws {
    let values: [Double] = [
      1_790_000_999_999_000, 1, -5, 0, -0.0, 0.5, 1e16, 9_007_199_254_740_991, 9_007_199_254_740_992,
      -9_007_199_254_740_991, 123.456, -1, 42.000_000_1, 1e-7, .greatestFiniteMagnitude,
    ]
    for value in values {
      #expect(Double(NumberText.decimal(value)) == value, "\(value)")
      let id = UUID()
      let read = try Cursor(Cursor(value: value, id: id).text)
      #expect(read.value == value && read.id == id, "\(value)")
    }
    #expect(throws: (any Error).self) { try Cursor("not-a-cursor") }
  }
}

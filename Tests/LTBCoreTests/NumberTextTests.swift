import Foundation
import Testing

@testable import LTBCore

/// The one number formatter, and the JSON and CSV writers that use it.
@Suite("Number text")
struct NumberTextTests {
  @Test("every value reads back exactly; integral values in plain digits, with or without .0")
  func decimal() {
    let values: [Double] = [
      0, -0.0, 1, -5, 0.5, 123.456, 1e-7, 1e15, 1_790_000_999_999_000, 9_007_199_254_740_991, 1e16, -1e300,
      .greatestFiniteMagnitude, .leastNonzeroMagnitude, 42.000_000_1,
    ]
    for value in values {
      let text = NumberText.decimal(value)
      #expect(Double(text) == value && Double(text)?.sign == value.sign, "\(value) as \(text)")
      #expect(Double(NumberText.decimal(value, integralFraction: false)) == value)
    }
    #expect(NumberText.decimal(1e15) == "1000000000000000.0")
    #expect(NumberText.decimal(12, integralFraction: false) == "12")
    #expect(NumberText.decimal(12.5, integralFraction: false) == "12.5")
    #expect(NumberText.decimal(1e16) == "1e+16")
  }

  @Test("JSON: non-finite numbers are null; sorted keys; the GraphQL form drops .0")
  func json() {
    let value: JSONValue = ["b": .double(2), "a": [.double(.infinity), .double(0.25), .int(3)]]
    #expect(value.serialized(sortedKeys: true) == #"{"a":[null,0.25,3],"b":2.0}"#)
    var output = JSONOutput()
    output.append(value, sortedKeys: true, integralFraction: false)
    #expect(output.text == #"{"a":[null,0.25,3],"b":2}"#)
  }

  @Test("CSV cells are quoted only when they must be, quotes doubled")
  func csv() {
    #expect(CSVField.quoted("plain") == "plain")
    #expect(CSVField.quoted("a,b") == "\"a,b\"")
    #expect(CSVField.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSVField.quoted("two\nlines") == "\"two\nlines\"")
    #expect(CSVField.quoted("") == "")
  }
}

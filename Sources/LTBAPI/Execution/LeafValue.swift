import Foundation
import GraphQL
import LTBCore

/// A value of a scalar or enum field that writes itself as JSON, as its GraphQL type serializes
/// it. The generated types write their stored leaf fields through this (``PlanLeaves``), with
/// the Swift type known at compile time: no existential, no dynamic cast, no lookup by name.
protocol LeafValue {
  /// Appends the value's JSON, or throws what GraphQL says of a value the type cannot represent.
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure)
}

/// A value its GraphQL type cannot represent (an `Int` beyond 32 bits, a `Float` that is not
/// finite), with GraphQLSwift's message.
struct LeafFailure: Error {
  let message: String
}

/// An object type whose stored scalar and enum fields the plan writes directly: the plan looks
/// each field's index up once, when it is compiled (`APIWiring.planLeaves`). Every generated
/// object type has it, so one cast per object gives both this and its other stored fields.
protocol PlanLeaves: KeySubscriptable {
  /// Appends the JSON of stored leaf field `index`.
  func writeLeaf(_ index: Int, into output: inout JSONOutput) throws(LeafFailure)
}

extension String: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) { output.appendString(self) }
}

extension Int: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) {
    guard let exact = Int32(exactly: self) else {
      throw LeafFailure(message: "Int cannot represent non 32-bit signed integer value: \(self)")
    }
    output.append(String(exact))
  }
}

extension Double: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) {
    guard isFinite else { throw LeafFailure(message: "Float cannot represent non numeric value: \(self)") }
    output.appendNumber(self, integralFraction: false)
  }
}

extension Bool: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) { output += self ? "true" : "false" }
}

extension UUID: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) {
    output += "\""
    output.append(lowercasedText)
    output += "\""
  }
}

extension Date: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) {
    output += "\""
    output.append(iso8601Text)
    output += "\""
  }
}

extension JSONValue: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) {
    PlanExecutor.write(self, into: &output)
  }
}

extension Optional: LeafValue where Wrapped: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) {
    if let self { try self.writeLeaf(into: &output) } else { output += "null" }
  }
}

extension Array: LeafValue where Element: LeafValue {
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) {
    output += "["
    for (index, item) in enumerated() {
      if index > 0 { output += "," }
      try item.writeLeaf(into: &output)
    }
    output += "]"
  }
}

extension LeafValue where Self: RawRepresentable, RawValue == String {
  /// An enum value, by its name (the generated enums' raw values are their GraphQL names).
  func writeLeaf(into output: inout JSONOutput) throws(LeafFailure) {
    output.appendString(rawValue)
  }
}

extension APIWiring {
  /// A cast of a value to the object type a selection expects (`APIWiring.planObjects`).
  typealias PlanObjectCast = @Sendable (any Sendable) -> (any PlanLeaves)?
}

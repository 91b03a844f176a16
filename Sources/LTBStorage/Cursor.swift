import Foundation
import LTBCore

/// A keyset pagination position: the sort value and the id of the last row of a page.
struct Cursor {
  var value: Double
  var id: UUID

  init(value: Double, id: UUID) {
    self.value = value
    self.id = id
  }

  init(_ text: String) throws {
    guard let data = Base64URL.decode(text), let decoded = String(data: data, encoding: .utf8) else {
      throw LTBError(
        .invalidInput, "the cursor '\(text.prefix(40))' is not valid",
        fix: "pass a cursor returned by a previous page")
    }
    let parts = decoded.split(separator: "|")
    guard parts.count == 2, let value = Double(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
      throw LTBError(
        .invalidInput, "the cursor '\(text.prefix(40))' is not valid",
        fix: "pass a cursor returned by a previous page")
    }
    self.init(value: value, id: id)
  }

  /// URL-safe base64 without padding of `value|id`.
  var text: String {
    var bytes = Array(NumberText.decimal(value).utf8)
    bytes.append(UInt8(ascii: "|"))
    bytes.append(contentsOf: id.lowercasedText.utf8)
    return Base64URL.encode(bytes)
  }
}

public import Foundation
import LTBCore

/// JSON encoding and decoding for vendor wire formats, with errors that say what failed.
public enum WireJSON {
  /// Encodes a wire value as compact JSON.
  public static func encode(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    do {
      return try encoder.encode(value)
    } catch {
      throw LTBError(.invalidRequest, "could not encode the request as JSON: \(error)")
    }
  }

  /// Decodes a wire value; a failure is a `decoding` error that quotes the start of the payload.
  public static func decode<T: Decodable>(_ type: T.Type, from data: Data, context: String) throws -> T {
    do {
      let decoder = JSONDecoder()
      decoder.keyDecodingStrategy = .convertFromSnakeCase
      return try decoder.decode(type, from: data)
    } catch {
      let excerpt = String(decoding: data.prefix(200), as: UTF8.self)
      throw LTBError(
        .decoding, "\(context): the response is not the JSON expected (\(describe(error))): \(excerpt)",
        fix: "check that base_url points at a server that speaks this provider's API")
    }
  }

  private static func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
    case DecodingError.dataCorrupted(let context): context.debugDescription
    default: "\(error)"
    }
  }
}

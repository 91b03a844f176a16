import Foundation
import LTBCore
import SQLKit
import SQLiteKit

/// Reads one row's columns: SQLite rows straight from their statement (``SQLiteReader``: no
/// `Decoder`, no dynamic casts; JSON text through the fast readers), any other SQLKit row
/// through its driver's decoding. Errors name the column.
struct ColumnReader {
  // Two optionals rather than an enum: matching an enum's payload copies the row for every
  // column read (and a reader takes `native` once per read: each load of it is a retain). The
  // statement is not retained: a reader lives only while its row is decoded
  // (``SQLiteReader/Session/rows(_:_:_:)`` holds the statement meanwhile), and retaining it
  // for each of a page's thousands of column reads was a measurable cost.
  private unowned(unsafe) let native: Statement?
  private let generic: (any SQLRow)?

  init(_ statement: Statement) {
    native = statement
    generic = nil
  }

  init(_ row: any SQLRow) {
    native = nil
    generic = row
  }

  /// A column: read straight from the statement when it holds what `direct` reads, else (and
  /// for NULL) converted by SQLiteNIO from `SQLiteData`; `nil` for NULL. Going through
  /// `SQLiteData` for every column retained and released each of a page's strings a few times
  /// over, so the common storage classes skip it.
  private func optional<Value: SQLiteDataConvertible & Decodable>(
    _ column: String, _ kind: String, direct: (Statement, Int32) -> Value?
  ) throws -> Value? {
    guard let native else { return try sqlKit(column, Value?.self) }
    guard let position = native.position(column) else {
      throw LTBError(.storage, "the row has no \(column) column", fix: "apply the migrations (ltb migrate)")
    }
    if let value = direct(native, position) { return value }
    let data = native.data(at: position)
    if case .null = data { return nil }
    guard let value = Value(sqliteData: data) else {
      throw LTBError(.storage, "the \(column) column holds \(data), not \(kind)")
    }
    return value
  }

  private func required<Value: SQLiteDataConvertible & Decodable>(
    _ column: String, _ kind: String, direct: (Statement, Int32) -> Value?
  ) throws -> Value {
    guard let value: Value = try optional(column, kind, direct: direct) else {
      throw LTBError(.storage, "the \(column) column is null")
    }
    return value
  }

  func optionalString(_ column: String) throws -> String? { try optional(column, "text", direct: Self.text) }
  func string(_ column: String) throws -> String { try required(column, "text", direct: Self.text) }
  func optionalInt(_ column: String) throws -> Int? {
    try optional(column, "an integer", direct: Self.integer)
  }
  func int(_ column: String) throws -> Int { try required(column, "an integer", direct: Self.integer) }
  func double(_ column: String) throws -> Double { try required(column, "a number", direct: Self.float) }
  func optionalDouble(_ column: String) throws -> Double? {
    try optional(column, "a number", direct: Self.float)
  }
  func optionalBool(_ column: String) throws -> Bool? { try optional(column, "a boolean", direct: Self.bool) }
  func bool(_ column: String) throws -> Bool { try required(column, "a boolean", direct: Self.bool) }
  func date(_ column: String) throws -> Date { try required(column, "a time", direct: Self.date) }

  /// Text as SQLiteNIO reads it (invalid UTF-8 repaired).
  private static func text(_ statement: Statement, _ position: Int32) -> String? {
    statement.withText(at: position) { String(decoding: $0, as: UTF8.self) }
  }

  private static func integer(_ statement: Statement, _ position: Int32) -> Int? {
    statement.integer(at: position)
  }

  private static func float(_ statement: Statement, _ position: Int32) -> Double? {
    statement.float(at: position)
  }

  /// 0 or 1 as SQLiteNIO reads a boolean.
  private static func bool(_ statement: Statement, _ position: Int32) -> Bool? {
    switch statement.integer(at: position) {
    case 1: true
    case 0: false
    default: nil
    }
  }

  /// Seconds since 1970 (real or integer) as SQLiteNIO reads a date: rounded to the microsecond
  /// from the reference date. Text dates go through SQLiteNIO.
  private static func date(_ statement: Statement, _ position: Int32) -> Date? {
    guard let seconds = statement.float(at: position) ?? statement.integer(at: position).map(Double.init)
    else {
      return nil
    }
    let sinceReference = seconds - Date.timeIntervalBetween1970AndReferenceDate
    return Date(timeIntervalSinceReferenceDate: (sinceReference * 1e6).rounded() / 1e6)
  }

  func uuid(_ column: String) throws -> UUID {
    guard let native else { return try sqlKit(column, UUID.self) }
    // In place, without making a string of it first.
    if let position = native.position(column),
      let id = native.withText(at: position, { UUID(utf8: $0) }) ?? nil
    {
      return id
    }
    let text = try string(column)
    guard let id = UUID(text: text) else {
      throw LTBError(.storage, "the \(column) column holds '\(text.prefix(40))', which is not a UUID")
    }
    return id
  }

  /// A JSON column: on SQLite (text) through `fast`, else `JSONDecoder`; elsewhere (`jsonb`)
  /// through the driver.
  func json<Value: Decodable & Sendable>(_ column: String, _ fast: (JSONValue) -> Value? = { _ in nil })
    throws
    -> Value?
  {
    guard native != nil else { return try sqlKit(column, Value?.self) }
    return try optionalString(column).map { try StoredJSON.read($0, fast) }
  }

  /// A JSON column whose bytes `scan` reads in place on SQLite (falling back to `fast`, then
  /// `JSONDecoder`, for text it does not take); elsewhere through the driver.
  func json<Value: Decodable & Sendable>(
    _ column: String, scan: (UnsafeBufferPointer<UInt8>) -> Value?,
    _ fast: (JSONValue) -> Value? = { _ in nil }
  ) throws -> Value? {
    guard let native else { return try sqlKit(column, Value?.self) }
    if let position = native.position(column) {
      if native.isNull(at: position) { return nil }
      if let scanned = native.withText(at: position, scan) ?? nil { return scanned }
    }
    return try optionalString(column).map { text in try StoredJSON.read(text, fast) }
  }

  /// The timing column, scanned in place on SQLite. Without `everyEvent`, only the first and
  /// the last content events (a listing, ``ResultRow``), whichever way it was read.
  func timing(everyEvent: Bool = true) throws -> RequestTiming? {
    let scan = { StoredJSON.timing(bytes: $0, everyEvent: everyEvent) }
    guard var timing: RequestTiming = try json("timing", scan: scan) else { return nil }
    let offsets = timing.contentEventOffsetsNanos
    if !everyEvent, offsets.count > 2, let first = offsets.first, let last = offsets.last {
      timing.contentEventOffsetsNanos = [first, last]
    }
    return timing
  }

  private func sqlKit<Value: Decodable>(_ column: String, _ type: Value.Type) throws -> Value {
    guard let generic else { throw LTBError(.internal, "not an SQLKit row") }
    return try generic.decode(column: column, as: Value.self)
  }
}

/// The one way numbers become text in JSON, GraphQL answers, cursors and CSV: the shortest
/// digits that read back as the same `Double` (Swift's `description`), except that integral
/// values below 2^53 are written from their integer (no digit search, never in exponent form).
public enum NumberText {
  /// `value` as decimal text: `12.5`, `12.0` (or `12` without `integralFraction`, as GraphQL
  /// answers write a Float), `1e-07`. Not for non-finite values (JSON has none; callers write
  /// `null` or refuse them).
  public static func decimal(_ value: Double, integralFraction: Bool = true) -> String {
    guard value.rounded() == value, value.magnitude < 9_007_199_254_740_992 else { return value.description }
    let integer = String(Int64(value))
    if value == 0, value.sign == .minus { return integralFraction ? "-0.0" : "-0" }
    return integralFraction ? integer + ".0" : integer
  }
}

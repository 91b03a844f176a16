/// Bounds the API applies to what a client asks for.
enum APILimits {
  /// Page sizes are 1…500; the default is 50.
  static func pageSize(_ requested: Int?) -> Int { min(500, max(1, requested ?? 50)) }
}

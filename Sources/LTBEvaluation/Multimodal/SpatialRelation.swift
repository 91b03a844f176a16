/// Spatial relations as compared: phrasing reduced to a canonical form ("is to the left of" →
/// "left of", "on top of" → "on"), and each relation's inverse, so that "the square is right of
/// the circle" matches "the circle is left of the square".
enum SpatialRelation {
  private static let inverses: [String: String] = [
    "left of": "right of", "right of": "left of", "above": "below", "below": "above",
    "in front of": "behind", "behind": "in front of", "inside": "contains", "contains": "inside",
    "on": "under", "under": "on", "next to": "next to", "near": "near",
  ]

  private static let synonyms: [String: String] = [
    "to the left of": "left of", "on the left of": "left of", "left": "left of",
    "to the right of": "right of", "on the right of": "right of", "right": "right of",
    "over": "above", "beneath": "below", "underneath": "under", "on top of": "on", "atop": "on",
    "in": "inside", "within": "inside", "beside": "next to", "adjacent to": "next to",
    "in back of": "behind",
  ]

  /// The canonical form of a (label-normalised) relation.
  static func normalize(_ relation: String) -> String {
    var text = relation
    for prefix in ["is ", "are ", "located "] where text.hasPrefix(prefix) {
      text = String(text.dropFirst(prefix.count))
    }
    return synonyms[text] ?? text
  }

  /// The inverse of a canonical relation, when it has one.
  static func inverse(of relation: String) -> String? { inverses[relation] }
}

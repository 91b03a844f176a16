/// The text normalisation jiwer applies when asked to ignore case and punctuation
/// (`Compose([ToLowerCase(), RemovePunctuation(), RemoveMultipleSpaces(), Strip()])`): lower
/// case, every Unicode punctuation character (general category P*) removed, then runs of two or
/// more whitespace characters replaced by one space (a lone tab stays) and the ends stripped.
public enum TranscriptNormalizer {
  /// `text` normalised.
  public static func normalize(_ text: String) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in text.lowercased().unicodeScalars where !isPunctuation(scalar) { scalars.append(scalar) }
    var output = ""
    var run = ""
    for character in String(scalars) {
      if character.isWhitespace {
        run.append(character)
        continue
      }
      output += run.count >= 2 ? " " : run
      run = ""
      output.append(character)
    }
    // Strip: a run before the first character is dropped along with the trailing one.
    return String(output.drop(while: \.isWhitespace))
  }

  private static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
      .finalPunctuation, .otherPunctuation:
      true
    default:
      false
    }
  }
}

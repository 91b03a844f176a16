import Foundation

/// Renders `{{name}}` templates (spaces inside the braces allowed) from a case's variables.
public enum TemplateRenderer {
  /// The rendered text, or the names of the variables it needs but `variables` lacks.
  public static func render(_ template: String, variables: [String: String]) -> Result<
    String, MissingVariables
  > {
    var output = ""
    var missing: [String] = []
    var rest = Substring(template)
    while let open = rest.range(of: "{{") {
      output += rest[..<open.lowerBound]
      guard let close = rest[open.upperBound...].range(of: "}}") else {
        output += rest[open.lowerBound...]
        rest = ""
        break
      }
      let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
      if let value = variables[name] {
        output += value
      } else {
        missing.append(name)
      }
      rest = rest[close.upperBound...]
    }
    output += rest
    return missing.isEmpty ? .success(output) : .failure(MissingVariables(names: missing))
  }

  /// Variables a template needs but does not have.
  public struct MissingVariables: Error, Sendable, Hashable {
    /// The missing names, in order of appearance.
    public var names: [String]
  }
}

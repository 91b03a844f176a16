/// The formats `ltb report` writes.
public enum ReportFormat: String, Sendable, CaseIterable {
  /// Everything, machine-readable.
  case json
  /// One row per response.
  case csv
  /// JUnit XML: one test case per dataset case × model, for CI systems.
  case junit
  /// A summary that fits a pull-request comment.
  case markdown
  /// One self-contained page with inline SVG charts.
  case html

  /// The file extension.
  public var fileExtension: String {
    switch self {
    case .json: "json"
    case .csv: "csv"
    case .junit: "xml"
    case .markdown: "md"
    case .html: "html"
    }
  }

  /// Renders a report.
  public func render(_ data: ReportData) -> String {
    switch self {
    case .json: JSONReport.render(data)
    case .csv: CSVReport.render(data)
    case .junit: JUnitReport.render(data)
    case .markdown: MarkdownReport.render(data)
    case .html: HTMLReport.render(data)
    }
  }
}

import Foundation
import LTBCore

/// JUnit XML for CI systems: one `<testsuite>` per model, one `<testcase>` per dataset case ×
/// model. A case passes only when every repeat passed; a failed assertion is a `<failure>`, an
/// evaluator or request error an `<error>`; a case nobody asserted anything of is `<skipped>`.
enum JUnitReport {
  static func render(_ data: ReportData) -> String {
    var suites: [String] = []
    var totals = (tests: 0, failures: 0, errors: 0, skipped: 0, time: 0.0)
    for label in data.labels {
      let mine = data.results.filter { SessionRecords.label($0) == label }
      var cases: [String] = []
      var counts = (failures: 0, errors: 0, skipped: 0, time: 0.0)
      let grouped = Dictionary(grouping: mine, by: { "\($0.dataset)\u{1F}\($0.testID)" })
      for key in grouped.keys.sorted() {
        let repeats = (grouped[key] ?? []).sorted { $0.repeatIndex < $1.repeatIndex }
        guard let first = repeats.first else { continue }
        let verdicts = repeats.map(data.verdict)
        let seconds = repeats.map(\.durationMs).reduce(0, +) / 1000
        counts.time += seconds
        var body = ""
        if verdicts.contains("fail") {
          counts.failures += 1
          let failed = repeats.first { data.verdict($0) == "fail" }
          let reason = failed.flatMap { data.cases[$0.id]?.reason } ?? "an assertion failed"
          body =
            "<failure message=\"\(Escaping.xml(reason))\" type=\"AssertionFailure\">\(Escaping.xml(details(failed, data)))</failure>"
        } else if verdicts.contains("error") {
          counts.errors += 1
          let errored = repeats.first { data.verdict($0) == "error" }
          let reason = errored.flatMap { data.cases[$0.id]?.reason ?? $0.error } ?? "could not be evaluated"
          body =
            "<error message=\"\(Escaping.xml(reason))\" type=\"EvaluationError\">\(Escaping.xml(details(errored, data)))</error>"
        } else if verdicts.allSatisfy({ $0 == "-" }) {
          counts.skipped += 1
          body = "<skipped message=\"no assertions\"/>"
        }
        let out =
          repeats.count > 1
          ? "<system-out>\(Escaping.xml("repeats: " + verdicts.joined(separator: ", ")))</system-out>" : ""
        cases.append(
          "    <testcase classname=\"\(Escaping.xml(first.dataset + "." + label))\" name=\"\(Escaping.xml(first.testID))\" time=\"\(String(format: "%.3f", seconds))\">\(body)\(out)</testcase>"
        )
      }
      totals.tests += cases.count
      totals.failures += counts.failures
      totals.errors += counts.errors
      totals.skipped += counts.skipped
      totals.time += counts.time
      suites.append(
        "  <testsuite name=\"\(Escaping.xml(label))\" tests=\"\(cases.count)\" failures=\"\(counts.failures)\" errors=\"\(counts.errors)\" skipped=\"\(counts.skipped)\" time=\"\(String(format: "%.3f", counts.time))\">\n"
          + cases.joined(separator: "\n") + "\n  </testsuite>")
    }
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="\(Escaping.xml(data.session.name))" tests="\(totals.tests)" failures="\(totals.failures)" errors="\(totals.errors)" skipped="\(totals.skipped)" time="\(String(format: "%.3f", totals.time))">
      \(suites.joined(separator: "\n"))
      </testsuites>

      """
  }

  private static func details(_ result: BenchmarkResult?, _ data: ReportData) -> String {
    guard let result else { return "" }
    let lines = (data.records[result.id] ?? []).map { record in
      "\(record.metric): \(record.state == .scored ? (record.passed == true ? "pass" : "FAIL") : record.state.rawValue) — \(record.explanation)"
    }
    return (["response: " + (result.response ?? result.error ?? "")] + lines).joined(separator: "\n")
  }
}

import LTBCore
import LTBEvaluation

extension ReportData {
  /// The measured results (warm-up left out) in the order they were sent: the steps every
  /// tracker's export logs.
  var measuredInSendOrder: [BenchmarkResult] {
    results.filter { !$0.warmup }.sorted { $0.sentOffsetMs < $1.sentOffsetMs }
  }
}

import Foundation
import LTBCore
public import LTBEvaluation

/// MLflow's `compare_runs` (spec 1.5): two session runs that `ltb export --to mlflow` wrote are
/// read back (their `results.jsonl` and `evaluation.json` artifacts) into the same case-by-case
/// comparison `ltb compare` makes of stored sessions, so sessions from two machines or two
/// stores can be compared through the tracker.
public enum MLflowComparison {
  /// One side of a comparison: the session run `run`, labelled with its name.
  public static func side(run: String, client: MLflowClient) async throws -> SessionComparison.Side {
    let (experiment, name, tags) = try await client.run(run)
    guard tags["ltb.session_id"] != nil, tags["mlflow.parentRunId"] == nil else {
      throw LTBError(
        .invalidInput, "MLflow run \(run) is not a session run that ltb exported",
        fix: "give the parent run's id that `ltb export --to mlflow` printed")
    }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let lines = try await client.download(run: run, experiment: experiment, path: "results.jsonl")
    var results: [BenchmarkResult] = []
    for (index, line) in lines.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
      do {
        results.append(try decoder.decode(BenchmarkResult.self, from: Data(line)))
      } catch {
        throw LTBError(
          .decoding, "run \(run)'s results.jsonl line \(index + 1) is not an ltb result: \(error)",
          fix: "compare runs exported by this version of ltb")
      }
    }
    let evaluation = try decoder.decode(
      EvaluationArtifact.self,
      from: try await client.download(run: run, experiment: experiment, path: "evaluation.json"))
    return SessionComparison.Side(
      label: "\(name) (\(run.prefix(8)))", results: results, records: evaluation.records,
      cases: evaluation.cases)
  }
}

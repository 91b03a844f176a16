import LTBCore

/// A session's verdicts as its MLflow run's `evaluation.json` artifact holds them: every metric's
/// record and every case's verdict, for `ltb compare --from mlflow`.
struct EvaluationArtifact: Codable {
  var records: [EvaluationRecord]
  var cases: [CaseEvaluation]
}

import Foundation
import LTBAuth
import LTBCore
import LTBIntegrations
import LTBStorage

/// The tracker mutations (`RUN_BENCHMARK`, each audited): export a session, import a dataset.
extension MutationResolver {
  func exportSession(_ arguments: MutationExportSessionArguments, context: APIContext) async throws
    -> SessionExport
  {
    let session = try await SessionAccess.require(arguments.id, context, store: services.store)
    let experiment = arguments.experiment?.trimmingCharacters(in: .whitespaces)
    if let experiment, experiment.count > 250 {
      throw LTBError(.invalidInput, "experiment is \(experiment.count) characters", fix: "use at most 250")
    }
    let principal = try context.requirePrincipal()
    let record = try await services.integrations.requestExport(
      session: session.id, to: APIMapping.tracker(arguments.to), experiment: experiment,
      requestedBy: principal.userID)
    if let auth = services.auth {
      try await auth.audit(
        principal.userID, "session.export", "session", session.id,
        ["tracker": .string(record.tracker), "experiment": .string(record.experiment)], context.client)
    }
    return APIMapping.sessionExport(record)
  }

  func importDataset(_ arguments: MutationImportDatasetArguments, context: APIContext) async throws
    -> ImportedDataset
  {
    let input = arguments.input
    guard !input.name.isEmpty, input.name.count <= 1_000 else {
      throw LTBError(
        .invalidInput, "name must have 1 to 1000 characters", fix: "send the dataset's name or path")
    }
    let principal = try context.requirePrincipal()
    let importer = services.integrations.importer
    let source = APIMapping.source(input.from)
    let path = importer.importPath(from: source, name: input.name)
    let count = try await importer.importDataset(from: source, name: input.name, to: path)
    if let auth = services.auth {
      try await auth.audit(
        principal.userID, "dataset.import", "dataset", nil,
        ["source": .string(source.rawValue), "name": .string(input.name), "path": .string(path)],
        context.client)
    }
    return ImportedDataset(source: input.from, path: path, cases: count)
  }
}

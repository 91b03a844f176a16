import Crypto
import Foundation
import LTBCore
import LTBProviders
import Testing

/// `ltb export --to wandb` against `scripts/reference/wandb_capture.py`: a local capture server
/// for W&B's run API that the official `wandb` client (0.31, wandb-core) logs a run to first, so
/// its answers are ones that client accepts; `ltb`'s requests are then compared with the
/// client's, and the run is read back as the server keeps it.
@Suite("Weights & Biases export", .serialized)
struct WandbTests {
  @Test(
    "a session becomes a W&B run: config, a step per request, the per-case table, the summary, finished; the requests are the official client's"
  )
  func export() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    let key = String(repeating: "k", count: 40)
    let python = try APIServerTests.python()
    let capture = Process()
    capture.executableURL = URL(fileURLWithPath: python)
    capture.arguments = [
      BenchCommandTests.repository.appendingPathComponent("scripts/reference/wandb_capture.py").path,
      path("requests.jsonl"), key,
    ]
    let output = Pipe()
    capture.standardOutput = output
    capture.standardError = FileHandle.nullDevice
    try capture.run()
    defer { kill(capture.processIdentifier, SIGKILL) }
    let ready = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    let port = try #require(
      ready.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
    let url = "http://127.0.0.1:\(port)"
    func takeRequests() throws -> [JSONValue] {
      let file = URL(fileURLWithPath: path("requests.jsonl"))
      let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
      try Data().write(to: file)
      return try lines.map { try JSONValue.parse(Data($0.utf8)) }.filter {
        !($0["path"]?.stringValue ?? "").hasPrefix("/sdk/otel/")
      }
    }
    func state(_ run: String) throws -> JSONValue {
      try JSONValue.parse(Data(try Shell.run("/usr/bin/curl", ["-fs", "\(url)/state/\(run)"]).stdout.utf8))
    }

    // The official client logs a run first.
    let wandbEnvironment = [
      "WANDB_BASE_URL": url, "WANDB_API_KEY": key, "WANDB_SILENT": "true", "WANDB_DIR": directory.path,
    ]
    let reference = try Shell.run(
      python,
      [
        BenchCommandTests.repository.appendingPathComponent("scripts/reference/wandb_reference.py").path,
        "team",
        "reference-project",
      ], environment: wandbEnvironment)
    #expect(reference.status == 0 && reference.stdout.contains("ok"), "\(reference.stderr.suffix(2_000))")
    let sdkRequests = try takeRequests()

    let fakePort = try FreePort.find()
    let fake = try CommandLineTests.start([
      "fake-server", "--port", String(fakePort), "--ttft-ms", "20", "--itl-ms", "1", "--tokens", "4",
    ])
    defer { fake.process.terminate() }
    try Data(
      """
      [providers.fake]
      type = "openai-compatible"
      base_url = "http://127.0.0.1:\(fakePort)/v1"
      max_retries = 0

      """.utf8
    ).write(to: URL(fileURLWithPath: path("ltb.toml")))
    try Data(
      (0..<6).map {
        #"{"id": "c\#($0)", "prompt": "Say hello \#($0)", "assertions": [{"type": "contains", "value": "\#($0 % 3 == 0 ? "absent" : "tok1")"}]}"#
      }
      .joined(separator: "\n").utf8
    ).write(to: URL(fileURLWithPath: path("cases.jsonl")))
    try Data(
      """
      name: wandb-run
      datasets: [\(path("cases.jsonl"))]
      targets: [{ provider: fake, model: m }]
      repeats: 2
      concurrency: 2

      """.utf8
    ).write(to: URL(fileURLWithPath: path("suite.yaml")))
    let database = "sqlite:" + path("ltb.sqlite")
    let bench = try CommandLineTests.run([
      "bench", path("suite.yaml"), "--config", path("ltb.toml"), "--database", database, "--output",
      path("out"),
    ])
    #expect(bench.status == 0, "\(bench.stderr)")
    let session = try #require(BenchCommandTests.sessionID(in: bench.stderr))
    let environment = ["WANDB_BASE_URL": url, "WANDB_API_KEY": key]
    let exported = try CommandLineTests.run(
      ["export", session, "--to", "wandb", "--config", path("ltb.toml"), "--database", database],
      environment: environment)
    #expect(exported.status == 0, "\(exported.stderr)")
    let run = exported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(run.hasPrefix("capture-team/wandb-run/"), "the key's entity, a project per suite: \(run)")
    let ltbRequests = try takeRequests()

    // The run as W&B keeps it.
    let kept = try state(run)
    #expect(kept["complete"] == true && kept["exitcode"] == 0)
    #expect(kept["config"]?["suite"]?["value"] == "wandb-run")
    #expect(kept["config"]?["ltb_session_id"]?["value"]?.stringValue == session.lowercased())
    #expect(kept["tags"] == ["ltb"])
    let history = kept["history"]?.arrayValue ?? []
    #expect(history.count == 13, "12 requests, then the table's step")
    #expect(history.compactMap { $0["_step"]?.intValue } == Array(0..<13))
    #expect(history.prefix(12).allSatisfy { ($0["fake/m/e2e_ms"]?.doubleValue ?? 0) >= 20 })
    let summary = try JSONValue.parse(
      Data(try String(contentsOfFile: path("out/summary.json"), encoding: .utf8).utf8))
    let group = try #require(summary["groups"]?[0])
    let figures = try #require(kept["summary"])
    #expect(figures["fake/m/requests"]?.doubleValue == 12)
    #expect(figures["fake/m/e2e_p50_ms"]?.doubleValue == group["endToEnd"]?["p50"]?.doubleValue)
    // Cases 0 and 3 look for a word the answers lack: 8 of 12 answers pass.
    #expect(abs((figures["fake/m/pass_rate"]?.doubleValue ?? 0) - 8.0 / 12) < 1e-9, "\(figures)")
    #expect(figures["ltb_export"] == "complete")
    let table = try #require(figures["cases"])
    #expect(table == history.last?["cases"])
    let tablePath = try #require(table["path"]?.stringValue)
    let tableText = try #require(kept["files"]?[tablePath]?.stringValue, "the table file was uploaded")
    let tableFile = try JSONValue.parse(Data(tableText.utf8))
    #expect(tableFile["data"]?.arrayValue?.count == 12 && table["nrows"] == 12)
    #expect(tableFile["columns"]?.arrayValue?.count == table["ncols"]?.intValue)
    #expect(table["size"]?.intValue == tableText.utf8.count)
    #expect(tablePath.hasPrefix("media/table/cases_12_") && tablePath.hasSuffix(".table.json"))
    #expect(tablePath.contains(String((table["sha256"]?.stringValue ?? "").prefix(20))))
    #expect(kept["uploaded"]?.arrayValue?.contains(.string(tablePath)) == true)

    // The table's run_table artifact, committed with its manifest, as the official client logs it.
    let artifacts =
      try JSONValue.parse(
        Data(try Shell.run("/usr/bin/curl", ["-fs", "\(url)/artifacts"]).stdout.utf8)
      ).objectValue ?? [:]
    let runName = run.split(separator: "/").last.map(String.init) ?? ""
    let ours = try #require(
      artifacts.values.first { $0["collection"]?.stringValue == "run-\(runName)-cases" })
    let theirs = try #require(
      artifacts.values.first { $0["collection"]?.stringValue != "run-\(runName)-cases" })
    #expect(ours["type"] == "run_table" && ours["type"] == theirs["type"], "\(ours)")
    #expect(ours["state"] == "COMMITTED" && ours["aliases"] == ["latest"] && ours["history_step"] == 12)
    let artifactText = try #require(ours["files"]?["cases.table.json"]?.stringValue)
    let artifactTable = try JSONValue.parse(Data(artifactText.utf8))
    let sdkTable = try JSONValue.parse(Data((theirs["files"]?["cases.table.json"]?.stringValue ?? "").utf8))
    #expect(artifactTable["data"] == tableFile["data"] && artifactTable["nrows"] == 12)
    #expect(
      Set(artifactTable.objectValue?.keys ?? [:].keys) == Set(sdkTable.objectValue?.keys ?? [:].keys),
      "the artifact's table has the fields of the official client's")
    #expect(
      artifactTable["column_types"]?["params"]?["type_map"]?["e2e_ms"]
        == sdkTable["column_types"]?["params"]?["type_map"]?["e2e_ms"])
    let manifest = try JSONValue.parse(Data((ours["files"]?["wandb_manifest.json"]?.stringValue ?? "").utf8))
    let entry = try #require(manifest["contents"]?["cases.table.json"])
    #expect(entry["size"]?.intValue == artifactText.utf8.count)
    #expect(
      entry["digest"]?.stringValue
        == Data(Insecure.MD5.hash(data: Data(artifactText.utf8))).base64EncodedString())
    // W&B's manifest digest: MD5 of a header line and a `name:digest` line per file, in hex.
    let digestLines = "wandb-artifact-manifest-v1\ncases.table.json:\(entry["digest"]?.stringValue ?? "")\n"
    #expect(
      ours["digest"]?.stringValue
        == Insecure.MD5.hash(data: Data(digestLines.utf8)).map { String(format: "%02x", $0) }.joined())
    #expect(table["artifact_path"]?.stringValue?.hasPrefix("wandb-client-artifact://") == true)
    #expect(table["_latest_artifact_path"]?.stringValue?.hasSuffix(":latest/cases.table.json") == true)

    // ltb sent what the official client sends: its operations and routes, no variable or field
    // it does not send, the same credentials.
    func route(_ request: JSONValue) -> String {
      let path = request["path"]?.stringValue ?? ""
      if path.hasPrefix("/upload/") { return "PUT upload" }
      if path.hasSuffix("/file_stream") { return "POST file_stream" }
      return "\(request["method"]?.stringValue ?? "") \(path)"
    }
    func operations(_ requests: [JSONValue]) -> [String: Set<String>] {
      var found: [String: Set<String>] = [:]
      for request in requests where route(request) == "POST /graphql" {
        let name = request["body"]?["operationName"]?.stringValue ?? ""
        found[name, default: []].formUnion((request["body"]?["variables"]?.objectValue ?? [:]).keys)
      }
      return found
    }
    #expect(
      Set(ltbRequests.map(route)).isSubset(of: Set(sdkRequests.map(route))), "\(Set(ltbRequests.map(route)))")
    let ourOperations = operations(ltbRequests)
    let theirOperations = operations(sdkRequests)
    #expect(
      Set(ourOperations.keys) == [
        "Viewer", "UpsertBucket", "CreateRunFiles", "CreateArtifact", "CreateArtifactManifest",
        "CreateArtifactFiles", "CommitArtifact",
      ], "\(ourOperations.keys.sorted())")
    for (operation, variables) in ourOperations {
      #expect(
        variables.isSubset(of: theirOperations[operation] ?? []),
        "\(operation): \(variables.subtracting(theirOperations[operation] ?? []))")
    }
    // The inputs too: no field the official client does not send, and the same query text.
    func sent(_ requests: [JSONValue], _ operation: String) -> [JSONValue] {
      requests.filter { $0["body"]?["operationName"]?.stringValue == operation }.compactMap { $0["body"] }
    }
    for operation in ["CreateArtifact", "CreateArtifactFiles"] {
      let ourInput = Set(
        sent(ltbRequests, operation).first?["variables"]?["input"]?.objectValue?.keys ?? [:].keys)
      let theirInput = Set(
        sent(sdkRequests, operation).first?["variables"]?["input"]?.objectValue?.keys ?? [:].keys)
      #expect(
        !ourInput.isEmpty && ourInput.isSubset(of: theirInput),
        "\(operation): \(ourInput.subtracting(theirInput))")
    }
    for operation in ["CreateArtifact", "CreateArtifactManifest", "CommitArtifact"] {
      #expect(
        sent(ltbRequests, operation).first?["query"] == sent(sdkRequests, operation).first?["query"],
        "\(operation)")
    }
    let ourManifests = sent(ltbRequests, "CreateArtifactManifest").map { $0["variables"]?["includeUpload"] }
    #expect(
      ourManifests == sent(sdkRequests, "CreateArtifactManifest").map { $0["variables"]?["includeUpload"] })
    #expect(
      ltbRequests.filter { route($0) != "PUT upload" }.allSatisfy {
        $0["authorization"] == sdkRequests[0]["authorization"]
      })
    func streamed(_ requests: [JSONValue]) -> (
      top: Set<String>, files: Set<String>, entries: Set<String>, table: Set<String>
    ) {
      var result: (top: Set<String>, files: Set<String>, entries: Set<String>, table: Set<String>) = (
        [], [], [], []
      )
      for request in requests where route(request) == "POST file_stream" {
        let body = request["body"]?.objectValue ?? [:]
        result.top.formUnion(body.keys)
        for (name, entry) in body["files"]?.objectValue ?? [:] {
          result.files.insert(name)
          result.entries.formUnion(entry.objectValue?.keys ?? [:].keys)
          for line in entry["content"]?.arrayValue ?? [] {
            if let reference = (try? JSONValue.parse(Data((line.stringValue ?? "").utf8)))?["cases"]?
              .objectValue
            {
              result.table.formUnion(reference.keys)
            }
          }
        }
      }
      return result
    }
    let (ourStream, theirStream) = (streamed(ltbRequests), streamed(sdkRequests))
    #expect(
      ourStream.top.isSubset(of: theirStream.top) && ourStream.top.contains("complete"), "\(ourStream.top)")
    #expect(ourStream.files == ["wandb-history.jsonl", "wandb-summary.json"])
    #expect(ourStream.files.isSubset(of: theirStream.files) && ourStream.entries == theirStream.entries)
    #expect(
      ourStream.table.isSubset(of: theirStream.table), "\(ourStream.table.subtracting(theirStream.table))")
    let sdkStream = try #require(sdkRequests.first { route($0) == "POST file_stream" }?["path"]?.stringValue)
    let sdkRun = sdkStream.split(separator: "/")[1...3].joined(separator: "/")
    let sdkLine = try state(sdkRun)["history"]?[0]?.objectValue ?? [:]
    let ourLine = history.first?.objectValue ?? [:]
    for stamp in ["_step", "_timestamp", "_runtime"] {
      #expect(sdkLine[stamp] != nil && ourLine[stamp] != nil, "\(stamp)")
    }

    // Exporting again writes the same run over itself; the key read from a file this time.
    try Data("\(key)\n".utf8).write(to: URL(fileURLWithPath: path("wandb.key")))
    try Data(
      (try String(contentsOfFile: path("ltb.toml"), encoding: .utf8)
        + "\n[integrations.wandb]\napi_key_file = \"\(path("wandb.key"))\"\n").utf8
    ).write(to: URL(fileURLWithPath: path("ltb-file.toml")))
    let again = try CommandLineTests.run(
      ["export", session, "--to", "wandb", "--config", path("ltb-file.toml"), "--database", database],
      environment: ["WANDB_BASE_URL": url, "WANDB_API_KEY": ""])
    #expect(again.status == 0 && again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == run)
    #expect(try state(run)["history"]?.arrayValue?.count == 13)
    let keyless = try CommandLineTests.run(
      ["export", session, "--to", "wandb", "--config", path("ltb.toml"), "--database", database],
      environment: ["WANDB_BASE_URL": url, "WANDB_API_KEY": ""])
    #expect(keyless.status == 78 && keyless.stderr.contains("WANDB_API_KEY"), "\(keyless.stderr)")
    try Data().write(to: URL(fileURLWithPath: path("wandb.key")))
    let emptyFile = try CommandLineTests.run(
      ["export", session, "--to", "wandb", "--config", path("ltb-file.toml"), "--database", database],
      environment: ["WANDB_BASE_URL": url, "WANDB_API_KEY": key])
    #expect(
      emptyFile.status == 78 && emptyFile.stderr.contains("file \(path("wandb.key"))"), "\(emptyFile.stderr)")
  }
}

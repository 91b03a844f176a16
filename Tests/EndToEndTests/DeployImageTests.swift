import Foundation
import LTBCore
import LTBProviders
import Testing

/// The image's runtime contents (`scripts/package`) run in an empty root with only the base
/// image's libraries: the migration, the gateway and a worker start from there against
/// PostgreSQL on loopback, and a distributed benchmark runs through them. A file missing from
/// the package fails this test.
@Suite("the image's contents", .serialized)
struct DeployImageTests {
  static let admin =
    ProcessInfo.processInfo.environment["LTB_TEST_POSTGRES_URL"]
    ?? "postgres://postgres@127.0.0.1:54329/postgres"

  /// A fresh database and its URL; dropped by the returned closure.
  static func database() throws -> (url: String, drop: () -> Void) {
    let name = "ltb_image_\(UUID().uuidString.prefix(8).lowercased())"
    let create = try Shell.run("/usr/bin/psql", [admin, "-q", "-c", "CREATE DATABASE \(name)"])
    guard create.status == 0 else { throw LTBError(.storage, "cannot create a database: \(create.stderr)") }
    var components = URLComponents(string: admin)!
    components.path = "/" + name
    return (
      components.string!,
      {
        _ = try? Shell.run(
          "/usr/bin/psql", [admin, "-q", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
      }
    )
  }

  /// Creates a distributed benchmark of `suite` through the gateway on `port` and waits (up to
  /// 60 s) until `expecting` successful results are stored; returns how many were.
  static func runDistributed(_ suite: String, port: Int, key: String, database: String, expecting: Int)
    async throws -> Int
  {
    let created = try GatewayCoreTests.graphQL(
      port, key, "mutation($s: String!) { createBenchmark(input: { suite: $s, distributed: true }) { id } }",
      ["s": .string(suite)])
    let session = try #require(created["data"]?["createBenchmark"]?["id"]?.stringValue, "\(created)")
    var stored = 0
    try await AlertingTests.eventually(60) {
      let count = try? Shell.run(
        "/usr/bin/psql",
        [
          database, "-At", "-c",
          "SELECT count(*) FROM results WHERE session_id = '\(session)' AND status = 'success'",
        ])
      stored = Int(count?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
      return stored == expecting
    }
    return stored
  }

  @Test(
    "the package holds the binary, its resource bundles, the CA bundle and the configuration, and no base file"
  )
  func contents() throws {
    let listing = try Shell.run("/usr/bin/tar", ["-tzvf", try ImageRoot.tarball()])
    #expect(listing.status == 0)
    let lines = listing.stdout.split(separator: "\n").map(String.init)
    // `tar -tv` lines end in the path (a link's as "PATH -> TARGET").
    let paths = Set(
      lines.compactMap { line in
        line.components(separatedBy: " -> ").first?.split(separator: " ").last.map { String($0) }
      })
    for required in [
      "./opt/ltb/bin/ltb", "./usr/local/bin/ltb", "./etc/ltb/ltb.toml", "./etc/ssl/certs/ca-certificates.crt",
      "./opt/ltb/bin/ltb_LTBStorage.resources/", "./opt/ltb/bin/ltb_LTBConfig.resources/models.toml",
      "./opt/ltb/bin/ltb_LTBEvaluation.resources/judges/",
    ] {
      #expect(paths.contains(required), "\(required) is not in the package")
    }
    #expect(paths.contains { $0.hasPrefix("./opt/ltb/bin/ltb_LTBStorage.resources/Migrations/") })
    // The data directory belongs to the image's user; everything else to root.
    #expect(
      lines.contains { $0.hasPrefix("drwx") && $0.contains("10001/10001") && $0.hasSuffix("./var/lib/ltb/") })
    #expect(lines.filter { !$0.hasSuffix("./var/lib/ltb/") }.allSatisfy { $0.contains(" 0/0 ") })
    // Nothing the base image already has is shipped again.
    let base = try Shell.run("/usr/bin/dpkg", ["-L"] + ImageRoot.basePackages).stdout
      .split(separator: "\n").map { "." + $0 }.filter { !$0.hasSuffix("/") }
    let shipped = paths.filter { !$0.hasSuffix("/") }
    #expect(shipped.intersection(base).isEmpty, "\(shipped.intersection(base))")
  }

  @Test("ltb migrate, serve and worker run from the package in an empty root against PostgreSQL")
  func runsInEmptyRoot() async throws {
    let image = try ImageRoot(tarball: try ImageRoot.tarball())
    let (database, drop) = try Self.database()
    defer { drop() }
    // Every library resolves inside the root.
    let libraries = try Shell.run(
      "/usr/sbin/chroot", [image.root.path, "/lib64/ld-linux-x86-64.so.2", "--list", "/opt/ltb/bin/ltb"])
    #expect(
      libraries.status == 0 && !libraries.stdout.contains("not found"),
      "\(libraries.stdout)\(libraries.stderr)")

    try image.secret("database_url", database)
    try image.secret("jwt_secret", ServedAPI.secret)
    let fakePort = try FreePort.find()
    let fake = try CommandLineTests.start(["fake-server", "--port", String(fakePort), "--tokens", "8"])
    defer { fake.process.terminate() }
    let provider = [
      "LTB_PROVIDERS__FAKE__TYPE": "openai-compatible",
      "LTB_PROVIDERS__FAKE__BASE_URL": "http://127.0.0.1:\(fakePort)/v1",
      "LTB_PROVIDERS__FAKE__DEFAULT_MODEL": "fake-model",
    ]
    let store = ["LTB_STORAGE__DATABASE_FILE": "/run/secrets/database_url"]

    // The deployments' order: migrate, then the gateway (which refuses pending migrations).
    let migrated = try image.run(
      ["migrate", "--config", "/etc/ltb/ltb.toml"], environment: store, log: "migrate")
    #expect(migrated.status == 0 && migrated.output.contains("applied"), "\(migrated.output)")
    let port = try FreePort.find()
    let grpcPort = try FreePort.find()
    let gateway = try image.start(
      ["serve", "--config", "/etc/ltb/ltb.toml", "--grpc-port", String(grpcPort)],
      environment: store.merging(provider) { a, _ in a }.merging([
        "LTB_JWT_SECRET_FILE": "/run/secrets/jwt_secret", "LTB_SERVER__HOST": "127.0.0.1",
        "LTB_SERVER__PORT": String(port), "LTB_SERVER__RATE_LIMIT": "0",
      ]) { a, _ in a }, log: "gateway")
    try await AlertingTests.eventually(30) {
      (try? image.run(["healthcheck", "http://127.0.0.1:\(port)/ready"], log: "check"))?.status == 0
    }
    #expect(gateway.isRunning, "\(image.log("gateway"))")

    // A user and the workers' key, made with the image's own ltb.
    let user = try image.run(
      ["users", "create", "admin", "--email", "admin@example.org", "--role", "admin"], environment: store,
      input: "password-of-admin\n", log: "user")
    #expect(user.status == 0, "\(user.output)")
    let key = try image.run(
      ["keys", "create", "--user", "admin", "--name", "workers"], environment: store, log: "key")
    #expect(key.status == 0, "\(key.output)")
    let token = try #require(key.output.split(separator: "\n").last { $0.hasPrefix("ltb_") }.map(String.init))
    try image.secret("worker_token", token)

    let healthPort = try FreePort.find()
    let worker = try image.start(
      [
        "worker", "--config", "/etc/ltb/ltb.toml", "--coordinator", "http://127.0.0.1:\(grpcPort)",
        "--token-file", "/run/secrets/worker_token", "--health-port", String(healthPort), "--health-host",
        "127.0.0.1", "--name", "image-worker",
      ], environment: provider, log: "worker")
    try await AlertingTests.eventually(30) {
      (try? Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(healthPort)/ready"]))?.status == 0
    }
    #expect(worker.isRunning, "\(image.log("worker"))")

    // A distributed benchmark through the gateway, sent by the worker.
    let cases = image.root.appendingPathComponent("srv/cases.jsonl")
    try FileManager.default.createDirectory(
      at: cases.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data((0..<20).map { #"{"id": "c\#($0)", "prompt": "case \#($0)"}"# }.joined(separator: "\n").utf8)
      .write(to: cases)
    let suite = "name: image\ndatasets: [/srv/cases.jsonl]\ntargets: [{ provider: fake }]\n"
    let stored = try await Self.runDistributed(
      suite, port: port, key: token, database: database, expecting: 20)
    #expect(stored == 20, "gateway:\n\(image.log("gateway"))\nworker:\n\(image.log("worker"))")
    let metrics = try Shell.run("/usr/bin/curl", ["-fs", "http://127.0.0.1:\(healthPort)/metrics"])
    #expect(metrics.stdout.contains("ltb_worker_completed_tasks_total 20"), "\(metrics.stdout)")
  }

  @Test("a package missing its migrations cannot start: the run above would notice a missing file")
  func missingFileFails() throws {
    let image = try ImageRoot(tarball: try ImageRoot.tarball()) { root in
      try FileManager.default.removeItem(
        at: root.appendingPathComponent("opt/ltb/bin/ltb_LTBStorage.resources"))
    }
    let (database, drop) = try Self.database()
    defer { drop() }
    try image.secret("database_url", database)
    let migrated = try image.run(
      ["migrate"], environment: ["LTB_STORAGE__DATABASE_FILE": "/run/secrets/database_url"], log: "migrate")
    #expect(
      migrated.status != 0 && migrated.output.contains("ltb_LTBStorage.resources"), "\(migrated.output)")
  }
}

import Foundation
import LTBCore
import LTBProviders
import Testing

/// `deploy/k8s`, `deploy/helm` and `deploy/compose` rendered by the real tools (kubectl's
/// kustomize, Helm, Docker Compose, all from PyPI: scripts/deploy-tools), every Kubernetes object
/// validated against the Kubernetes 1.37 schemas by kubernetes-validate, and the migration,
/// gateway and worker they define started as real processes with exactly their arguments.
@Suite("deploy/: Kubernetes, Helm and compose", .serialized)
struct DeployManifestsTests {
  static let deploy = BenchCommandTests.repository.appendingPathComponent("deploy")

  /// A deploy tool: `$LTB_KUBECTL`, `$LTB_HELM`, `$LTB_COMPOSE`, else scripts/deploy-tools' cache.
  static func tool(_ variable: String, _ name: String) -> String {
    if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty { return path }
    return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
      ".cache/ltb/deploy-tools/bin/\(name)"
    )
    .path
  }

  static let kubectl = tool("LTB_KUBECTL", "kubectl")
  static let helm = tool("LTB_HELM", "helm")
  static let compose = tool("LTB_COMPOSE", "docker-compose")
  static var python: String { ProcessInfo.processInfo.environment["LTB_PYTHON"] ?? "python3" }

  /// Runs a shell command in `deploy/`.
  static func sh(_ command: String) throws -> (status: Int32, stdout: String, stderr: String) {
    try Shell.run("/bin/sh", ["-c", "cd '\(deploy.path)' && \(command)"])
  }

  /// The documents a command prints as YAML, as JSON values.
  static func objects(_ command: String) throws -> [JSONValue] {
    let converted = try sh(
      "\(command) | '\(python)' -c 'import sys, yaml, json; json.dump([d for d in yaml.safe_load_all(sys.stdin) if d], sys.stdout)'"
    )
    #expect(converted.status == 0, "\(converted.stderr)")
    return try JSONValue.parse(converted.stdout).arrayValue ?? []
  }

  /// kubernetes-validate --strict on `yaml` (its exit status and output).
  static func validate(_ yaml: String) throws -> (status: Int32, output: String) {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-k8s-\(UUID().uuidString).yaml")
    try Data(yaml.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let validator = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent(
      "kubernetes-validate"
    ).path
    let result = try Shell.run(validator, ["--strict", "--kubernetes-version", "1.37.0", file.path])
    return (result.status, result.stdout + result.stderr)
  }

  static func named(_ objects: [JSONValue], _ kind: String, _ name: String) -> JSONValue? {
    objects.first { $0["kind"]?.stringValue == kind && $0["metadata"]?["name"]?.stringValue == name }
  }

  /// Kind and name of each object, with kustomize's ConfigMap hash and the release prefix removed.
  static func inventory(_ objects: [JSONValue], dropping prefix: String = "") -> Set<String> {
    Set(
      objects.compactMap { object -> String? in
        guard let kind = object["kind"]?.stringValue, kind != "Namespace",
          var name = object["metadata"]?["name"]?.stringValue
        else { return nil }
        if kind == "ConfigMap", name.hasPrefix("ltb-config") { name = "ltb-config" }
        if !prefix.isEmpty, name.hasPrefix(prefix) { name = "ltb" + name.dropFirst(prefix.count) }
        return "\(kind)/\(name)"
      })
  }

  @Test(
    "kubectl kustomize renders the dev and prod overlays; every object passes kubernetes-validate --strict")
  func kustomize() throws {
    for overlay in ["dev", "prod"] {
      let rendered = try Self.sh("'\(Self.kubectl)' kustomize k8s/overlays/\(overlay)")
      #expect(rendered.status == 0, "\(rendered.stderr)")
      let validated = try Self.validate(rendered.stdout)
      #expect(validated.status == 0, "\(overlay): \(validated.output)")
      #expect(!validated.output.contains("failed"), "\(validated.output)")
    }
    // A field Kubernetes does not know fails the validation: the check can fail.
    let rendered = try Self.sh("'\(Self.kubectl)' kustomize k8s/overlays/prod").stdout
    let broken = rendered.replacingOccurrences(of: "livenessProbe:", with: "livenesProbe:")
    #expect(broken != rendered)
    #expect(try Self.validate(broken).status != 0)
  }

  @Test("the prod overlay: probes, non-root read-only pods, secrets only referenced, HPAs, PDBs, policies")
  func prodObjects() throws {
    let objects = try Self.objects("'\(Self.kubectl)' kustomize k8s/overlays/prod")
    #expect(
      Self.inventory(objects) == [
        "ServiceAccount/ltb", "ConfigMap/ltb-config", "Service/ltb-gateway", "Deployment/ltb-gateway",
        "Deployment/ltb-worker", "Job/ltb-migrate", "HorizontalPodAutoscaler/ltb-worker",
        "HorizontalPodAutoscaler/ltb-gateway", "PodDisruptionBudget/ltb-gateway",
        "PodDisruptionBudget/ltb-worker",
        "NetworkPolicy/ltb-postgresql", "NetworkPolicy/ltb-gateway", "NetworkPolicy/ltb-worker",
      ])
    #expect(!objects.contains { $0["kind"] == "Secret" }, "a Secret's values are never in the manifests")
    #expect(objects.allSatisfy { $0["metadata"]?["namespace"]?.stringValue ?? "ltb" == "ltb" })
    let configMap = try #require(objects.first { $0["kind"] == "ConfigMap" })
    let deployed = try String(contentsOf: Self.deploy.appendingPathComponent("ltb.toml"), encoding: .utf8)
    #expect(configMap["data"]?["ltb.toml"]?.stringValue == deployed, "the ConfigMap is deploy/ltb.toml")

    for (name, port) in [("ltb-gateway", "http"), ("ltb-worker", "probes")] {
      let deployment = try #require(Self.named(objects, "Deployment", name))
      let pod = deployment["spec"]?["template"]?["spec"]
      let container = try #require(pod?["containers"]?[0])
      #expect(container["livenessProbe"]?["httpGet"]?["path"] == "/health")
      #expect(container["readinessProbe"]?["httpGet"]?["path"] == "/ready")
      #expect(container["livenessProbe"]?["httpGet"]?["port"]?.stringValue == port)
      #expect(pod?["securityContext"]?["runAsNonRoot"] == true)
      #expect(container["securityContext"]?["readOnlyRootFilesystem"] == true)
      #expect(container["securityContext"]?["allowPrivilegeEscalation"] == false)
      #expect(
        container["resources"]?["requests"]?["cpu"] != nil
          && container["resources"]?["limits"]?["memory"] != nil)
      #expect(container["image"] == "llm-test-bench:0.1.0")
      #expect(deployment["spec"]?["replicas"] == nil, "the HPA owns \(name)'s replicas")
    }
    let workers = try #require(Self.named(objects, "HorizontalPodAutoscaler", "ltb-worker"))
    let external = workers["spec"]?["metrics"]?[0]?["external"]
    #expect(external?["metric"]?["name"] == "ltb_queue_tasks")
    #expect(external?["metric"]?["selector"]?["matchLabels"]?["state"] == "queued")
    #expect(workers["spec"]?["maxReplicas"] == 40)
    let gateway = try #require(Self.named(objects, "HorizontalPodAutoscaler", "ltb-gateway"))
    #expect(gateway["spec"]?["metrics"]?[0]?["resource"]?["name"] == "cpu")
    // Only the gateway and the migration reach PostgreSQL; only workers reach the coordinator.
    let database = try #require(Self.named(objects, "NetworkPolicy", "ltb-postgresql"))
    let sources = (database["spec"]?["ingress"]?[0]?["from"]?.arrayValue ?? []).compactMap {
      $0["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"]?.stringValue
    }
    #expect(sources.sorted() == ["ltb-gateway", "ltb-migrate"])
    let coordinator = try #require(Self.named(objects, "NetworkPolicy", "ltb-gateway"))
    let grpc = try #require(
      coordinator["spec"]?["ingress"]?.arrayValue?.first { $0["ports"]?[0]?["port"] == 50_051 })
    #expect(grpc["from"]?[0]?["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"] == "ltb-worker")
  }

  @Test(
    "helm lint and helm template: the chart renders the prod overlay's objects, valid, and follows its values"
  )
  func helmChart() throws {
    let lint = try Self.sh("'\(Self.helm)' lint helm/llm-test-bench")
    #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
    let rendered = try Self.sh("'\(Self.helm)' template bench helm/llm-test-bench")
    #expect(rendered.status == 0, "\(rendered.stderr)")
    let validated = try Self.validate(rendered.stdout)
    #expect(validated.status == 0, "\(validated.output)")
    let chart = try Self.objects("'\(Self.helm)' template bench helm/llm-test-bench")
    let overlay = try Self.objects("'\(Self.kubectl)' kustomize k8s/overlays/prod")
    #expect(Self.inventory(chart, dropping: "bench") == Self.inventory(overlay))
    let configMap = try #require(chart.first { $0["kind"] == "ConfigMap" })
    #expect(
      configMap["data"]?["ltb.toml"]?.stringValue
        == (try String(contentsOf: Self.deploy.appendingPathComponent("ltb.toml"), encoding: .utf8)))
    // The same container arguments as the overlay, with the release's service name.
    for name in ["gateway", "worker"] {
      let fromChart = Self.named(chart, "Deployment", "bench-\(name)")?["spec"]?["template"]?["spec"]?[
        "containers"]?[0]
      let fromOverlay = Self.named(overlay, "Deployment", "ltb-\(name)")?["spec"]?["template"]?["spec"]?[
        "containers"]?[0]
      #expect(fromChart?["args"] != nil)
      #expect(
        fromChart?["args"]?.arrayValue?.map {
          $0.stringValue?.replacingOccurrences(of: "bench-", with: "ltb-")
        }
          == fromOverlay?["args"]?.arrayValue?.map(\.stringValue))
    }

    let custom = try Self.objects(
      "'\(Self.helm)' template bench helm/llm-test-bench --set worker.autoscaling.enabled=false --set worker.replicas=5 --set image.tag=9.9.9 --set networkPolicy.enabled=false"
    )
    let worker = try #require(Self.named(custom, "Deployment", "bench-worker"))
    #expect(worker["spec"]?["replicas"] == 5)
    #expect(worker["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "llm-test-bench:9.9.9")
    #expect(Self.named(custom, "HorizontalPodAutoscaler", "bench-worker") == nil)
    #expect(Self.named(custom, "HorizontalPodAutoscaler", "bench-gateway") != nil)
    #expect(!custom.contains { $0["kind"] == "NetworkPolicy" })
    let hook = try #require(Self.named(chart, "Job", "bench-migrate"))
    #expect(hook["metadata"]?["annotations"]?["helm.sh/hook"] == "pre-install,pre-upgrade")
  }

  @Test("docker compose config accepts the stack; its services, dependencies, health checks and secrets")
  func composeFile() throws {
    let checked = try Self.sh("'\(Self.compose)' -f compose/compose.yaml config -q")
    #expect(checked.status == 0, "\(checked.stderr)")
    let services = try Self.composeServices()
    #expect(
      Set(services.keys) == [
        "postgres", "migrate", "gateway", "worker", "prometheus", "alertmanager", "grafana", "otel-collector",
      ])
    func condition(_ service: String, _ on: String) -> String? {
      services[service]?["depends_on"]?[on]?["condition"]?.stringValue
    }
    #expect(condition("migrate", "postgres") == "service_healthy")
    #expect(condition("gateway", "migrate") == "service_completed_successfully")
    #expect(condition("worker", "gateway") == "service_healthy")
    #expect(condition("grafana", "prometheus") == "service_healthy")
    for name in ["gateway", "worker", "postgres", "prometheus"] {
      #expect(services[name]?["healthcheck"]?["test"] != nil, "\(name) has no health check")
    }
    for name in ["migrate", "gateway", "worker"] {
      #expect(services[name]?["read_only"] == true)
      #expect(services[name]?["environment"]?["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318")
      #expect(services[name]?["image"] == "llm-test-bench:0.1.0")
    }
    #expect(services["worker"]?["deploy"]?["replicas"] == 2)
    // Secrets are files, never values in the file.
    let file = try String(
      contentsOf: Self.deploy.appendingPathComponent("compose/compose.yaml"), encoding: .utf8)
    #expect(!file.contains("PASSWORD:") && !file.contains("LTB_JWT_SECRET:"))
    // Grafana gets the provisioned data source and boards; Prometheus the deployment's rules.
    let grafana = services["grafana"]?["volumes"]?.arrayValue?.compactMap { $0["source"]?.stringValue } ?? []
    #expect(grafana.contains { $0.hasSuffix("deploy/grafana/provisioning") })
    #expect(grafana.contains { $0.hasSuffix("deploy/grafana/dashboards") })
    let prometheus =
      services["prometheus"]?["volumes"]?.arrayValue?.compactMap { $0["source"]?.stringValue } ?? []
    #expect(prometheus.contains { $0.hasSuffix("deploy/prometheus") })
    // A wrong dependency condition is refused: the check can fail.
    let broken = Self.deploy.appendingPathComponent("compose/broken.yaml")
    try Data(file.replacingOccurrences(of: "service_completed_successfully", with: "service_done").utf8)
      .write(
        to: broken)
    defer { try? FileManager.default.removeItem(at: broken) }
    #expect(try Self.sh("'\(Self.compose)' -f compose/broken.yaml config -q").status != 0)
  }

  static func composeServices() throws -> [String: JSONValue] {
    let rendered = try Self.sh("'\(Self.compose)' -f compose/compose.yaml config --format json")
    #expect(rendered.status == 0, "\(rendered.stderr)")
    return try JSONValue.parse(rendered.stdout)["services"]?.objectValue ?? [:]
  }

  @Test(
    "compose's migrate, gateway and worker, started by hand with their exact commands, run a distributed benchmark"
  )
  func composeProcesses() async throws {
    let services = try Self.composeServices()
    func definition(_ name: String) throws -> DeployedService {
      let service = try #require(services[name])
      return DeployedService(
        arguments: service["command"]?.arrayValue?.compactMap(\.stringValue) ?? [],
        environment: (service["environment"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
        // ["CMD", "ltb", "healthcheck", URL]: the ltb arguments.
        healthcheck: service["healthcheck"]?["test"]?.arrayValue?.compactMap(\.stringValue).dropFirst(2).map {
          $0
        })
    }
    try await DeployedStack(
      migrate: try definition("migrate"), gateway: try definition("gateway"), worker: try definition("worker")
    ).run()
  }

  @Test(
    "the prod overlay's migration Job, gateway and worker, started with their exact arguments, run a distributed benchmark"
  )
  func kubernetesProcesses() async throws {
    let objects = try Self.objects("'\(Self.kubectl)' kustomize k8s/overlays/prod")
    func definition(_ kind: String, _ name: String) throws -> DeployedService {
      let object = try #require(Self.named(objects, kind, name))
      let container = try #require(object["spec"]?["template"]?["spec"]?["containers"]?[0])
      var environment: [String: String] = [:]
      for variable in container["env"]?.arrayValue ?? [] {
        if let key = variable["name"]?.stringValue, let value = variable["value"]?.stringValue {
          environment[key] = value
        }
      }
      let probe = container["readinessProbe"]?["httpGet"]
      let port = container["ports"]?.arrayValue?.first { $0["name"] == probe?["port"] }?["containerPort"]
      return DeployedService(
        arguments: container["args"]?.arrayValue?.compactMap(\.stringValue) ?? [], environment: environment,
        healthcheck: probe.map {
          ["healthcheck", "http://127.0.0.1:\(port?.intValue ?? 0)\($0["path"]?.stringValue ?? "")"]
        })
    }
    try await DeployedStack(
      migrate: try definition("Job", "ltb-migrate"), gateway: try definition("Deployment", "ltb-gateway"),
      worker: try definition("Deployment", "ltb-worker")
    ).run()
  }
}

/// One process a deployment defines: its `ltb` arguments, its environment, and its health check
/// (`ltb` arguments, or nil).
struct DeployedService {
  var arguments: [String]
  var environment: [String: String]
  var healthcheck: [String]?
}

/// A deployment's migration, gateway and worker started as real processes, in the deployment's
/// order, with their own arguments; only addresses and mount points are translated to this
/// machine (service names to 127.0.0.1, fixed ports to free ones, `/etc/ltb` to `deploy/`, the
/// secret mounts to files the test writes). Each waits for the previous one's health check.
struct DeployedStack {
  let migrate: DeployedService
  let gateway: DeployedService
  let worker: DeployedService

  func run() async throws {
    let directory = try BenchCommandTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (database, drop) = try DeployImageTests.database()
    defer { drop() }
    let secrets = directory.appendingPathComponent("secrets")
    try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
    func secret(_ name: String, _ value: String) throws {
      for spelling in [name, name.replacingOccurrences(of: "_", with: "-")] {
        try Data(value.utf8).write(to: secrets.appendingPathComponent(spelling))
      }
    }
    try secret("database_url", database)
    try secret("jwt_secret", ServedAPI.secret)
    let (http, grpc, probes) = (try FreePort.find(), try FreePort.find(), try FreePort.find())
    let (fake, provider, base) = try APIServerTests.fakeTarget(in: directory, cases: 12)
    defer { fake.process.terminate() }
    func local(_ text: String) -> String {
      text
        .replacingOccurrences(of: "/etc/ltb/ltb.toml", with: DeployManifestsTests.deploy.path + "/ltb.toml")
        .replacingOccurrences(of: "/var/run/secrets/ltb/", with: secrets.path + "/")
        .replacingOccurrences(of: "/run/secrets/", with: secrets.path + "/")
        .replacingOccurrences(of: "http://ltb-gateway:", with: "http://127.0.0.1:")
        .replacingOccurrences(of: "http://gateway:", with: "http://127.0.0.1:")
        .replacingOccurrences(of: "50051", with: String(grpc))
        .replacingOccurrences(of: "8081", with: String(probes))
        .replacingOccurrences(of: "8080", with: String(http))
    }
    // Listening on loopback only, the port from the toml made free, no collector to export to.
    let machine = [
      "LTB_SERVER__HOST": "127.0.0.1", "LTB_SERVER__PORT": String(http), "LTB_SERVER__RATE_LIMIT": "0",
    ]
    func start(_ service: DeployedService, _ extra: [String] = []) throws -> CommandLineTests.Running {
      let environment = service.environment.filter { !$0.key.hasPrefix("OTEL_") }.mapValues(local)
      return try CommandLineTests.start(
        service.arguments.map(local) + extra,
        environment: environment.merging(machine) { a, _ in a }.merging(provider) { a, _ in a })
    }
    func healthy(_ service: DeployedService) async throws {
      let check = try #require(service.healthcheck)
      try await AlertingTests.eventually(30) { (try? CommandLineTests.run(check.map(local)))?.status == 0 }
      #expect(try CommandLineTests.run(check.map(local)).status == 0, "\(check.map(local))")
    }

    // The gateway refuses to start before the migration (the deployments set migrate = false).
    let refused = try start(gateway)
    for _ in 0..<200 where refused.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
    if refused.process.isRunning { kill(refused.process.processIdentifier, SIGKILL) }
    let early = refused.finish()
    #expect(early.status != 0 && early.stderr.contains("lacks"), "\(early.stderr)")
    let migrated = try start(migrate).finish()
    #expect(
      migrated.status == 0 && migrated.stdout.contains("applied"), "\(migrated.stdout)\(migrated.stderr)")

    let server = try start(gateway)
    defer { kill(server.process.processIdentifier, SIGKILL) }
    try await healthy(gateway)
    let key = try ServedAPI.key(database: database)
    try secret("worker_token", key)
    let agent = try start(worker, ["--health-host", "127.0.0.1"])
    defer { kill(agent.process.processIdentifier, SIGKILL) }
    try await healthy(worker)

    let done = try await DeployImageTests.runDistributed(
      base, port: http, key: key, database: database, expecting: 12)
    #expect(done == 12)
  }
}

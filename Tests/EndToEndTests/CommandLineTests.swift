import Foundation
import LTBCore
import Testing

/// The built `ltb` executable, run as a user would.
@Suite("ltb command line")
struct CommandLineTests {
  /// A started `ltb` process whose output is collected.
  struct Running {
    let process: Process
    let output: Pipe
    let errors: Pipe

    /// Reads standard error until `marker` appears (or it closes) and returns what was read;
    /// ``finish()`` returns only what comes after. A process that has not printed `marker`
    /// within `seconds` is killed, and the test records it.
    func waitForError(_ marker: String, within seconds: Double = 120) -> String {
      let watchdog = DispatchWorkItem { [process] in kill(process.processIdentifier, SIGKILL) }
      DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
      defer { watchdog.cancel() }
      var seen = ""
      while !seen.contains(marker) {
        let chunk = errors.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        seen += String(decoding: chunk, as: UTF8.self)
      }
      if !seen.contains(marker) {
        Issue.record("'\(marker)' never appeared on standard error: \(seen.suffix(2_000))")
      }
      return seen
    }

    /// Waits for the end (killing the process after `seconds`) and returns the status and output.
    func finish(within seconds: Double = 300) -> (status: Int32, stdout: String, stderr: String) {
      BoundedOutput.collect(process, output: output, errors: errors, within: seconds)
    }
  }

  /// The `ltb` built next to the test bundle.
  static var binary: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ltb")
  }

  /// Starts the `ltb` built next to the test bundle, with the local model's URL in the environment.
  static func start(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws
    -> Running
  {
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
      throw LTBError(
        .notFound, "\(binary.path) is not built", fix: "run swift build before swift test (scripts/test does)"
      )
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["LTB_PROVIDERS__LLAMACPP__BASE_URL"] = LocalModel.url
    // The subsystems off by default are on for the tests that exercise them; FeatureFlagTests
    // turns them off again to check the defaults.
    for feature in FeatureFlags.Feature.allCases { env[feature.environmentVariable] = "true" }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.currentDirectoryURL = FileManager.default.temporaryDirectory
    let running = Running(process: process, output: Pipe(), errors: Pipe())
    process.standardOutput = running.output
    process.standardError = running.errors
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    return running
  }

  /// Runs `ltb` to its end.
  static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws
    -> (
      status: Int32, stdout: String, stderr: String
    )
  {
    try start(arguments, environment: environment, input: input).finish()
  }

  @Test("ltb test --stream --json reports TTFT, latency, tokens, cost and server timings")
  func testCommandJSON() throws {
    let result = try Self.run([
      "test", "llamacpp", "-p", "What is the capital of France?", "--system", "Answer in one sentence.",
      "--stream",
      "--temperature", "0", "--max-tokens", "16", "--json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try JSONValue.parse(Data(result.stdout.utf8))
    #expect(report["text"]?.stringValue?.contains("Paris") == true)
    #expect((report["time_to_first_token_ms"]?.doubleValue ?? 0) > 0)
    #expect(
      (report["end_to_end_latency_ms"]?.doubleValue ?? 0)
        >= (report["time_to_first_token_ms"]?.doubleValue ?? 0))
    #expect((report["output_tokens"]?.intValue ?? 0) > 0)
    #expect(report["usage_source"] == "reported")
    #expect(report["cost_usd"]?.doubleValue == 0)
    #expect(report["server_timings"]?["source"] == "llama.cpp")
    #expect(report["streamed"] == true)
  }

  @Test("ltb test streams the answer to stdout and prints the figures after it")
  func testCommandText() throws {
    let result = try Self.run([
      "test", "llamacpp", "-p", "Say hi.", "--stream", "--max-tokens", "8", "--temperature", "0",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("TTFT "))
    #expect(result.stdout.contains("tokens "))
    #expect(result.stdout.contains("server (llama.cpp)"))
  }

  /// A white PNG of `size` (WIDTHxHEIGHT) drawn by ImageMagick in a new directory, and its path.
  static func whiteImage(_ size: String) throws -> (directory: URL, path: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-image-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let image = directory.appendingPathComponent("white.png").path
    let convert = try Process.run(
      URL(fileURLWithPath: "/usr/bin/convert"), arguments: ["-size", size, "xc:white", image])
    convert.waitUntilExit()
    return (directory, image)
  }

  @Test(
    "ltb test --image to llama.cpp's OpenAI-compatible API without a projector: its refusal, with the --mmproj fix"
  )
  func imageRefusedByLocalModel() throws {
    let (directory, image) = try Self.whiteImage("64x32")
    defer { try? FileManager.default.removeItem(at: directory) }
    let config = directory.appendingPathComponent("ltb.toml").path
    try """
    version = 5
    [providers.llama-v1]
    type = "openai-compatible"
    base_url = "\(LocalModel.url)/v1"
    default_model = "smollm2"
    """.write(toFile: config, atomically: true, encoding: .utf8)
    let result = try Self.run([
      "test", "llama-v1", "--config", config, "-p", "What is in the picture?", "--image", image,
      "--max-tokens", "4",
    ])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("llama-v1 answered 500: image input is not supported"), "\(result.stderr)")
    #expect(result.stderr.contains("fix:") && result.stderr.contains("--mmproj"))
  }

  @Test("an image over Anthropic's 8000 px without libvips: refused unsent, naming the limit and the package")
  func imageTooWideWithoutLibvips() throws {
    let (directory, image) = try Self.whiteImage("8100x20")
    defer { try? FileManager.default.removeItem(at: directory) }
    let result = try Self.run(
      ["test", "anthropic", "-p", "What is in the picture?", "--image", image],
      environment: [
        "LTB_LIBVIPS": "/nonexistent/libvips.so.42", "ANTHROPIC_API_KEY": "sk-ant-test",
        "LTB_PROVIDERS__ANTHROPIC__BASE_URL": "http://127.0.0.1:9",
      ])
    #expect(result.status == 78, "\(result.stderr)")
    #expect(
      result.stderr.contains(
        "is 8100×20 px and \(try Data(contentsOf: URL(fileURLWithPath: image)).count) bytes, over provider 'anthropic' (anthropic)'s limit of 8000 px on the longer side, and it cannot be shrunk here: /nonexistent/libvips.so.42 is not installed"
      ), "\(result.stderr)")
    #expect(result.stderr.contains("apt-get install libvips42"))
    // With libvips, the same image is shrunk and sent (here to a closed port: a network error).
    let shrunk = try Self.run(
      ["test", "anthropic", "-p", "What is in the picture?", "--image", image],
      environment: [
        "ANTHROPIC_API_KEY": "sk-ant-test", "LTB_PROVIDERS__ANTHROPIC__BASE_URL": "http://127.0.0.1:9",
      ])
    #expect(shrunk.status == 69, "\(shrunk.stderr)")
    #expect(!shrunk.stderr.contains("cannot be shrunk"))
  }

  @Test("a missing API key exits 78 with the variable to set")
  func missingKey() throws {
    let result = try Self.run(["test", "anthropic", "-p", "hi"], environment: ["ANTHROPIC_API_KEY": ""])
    #expect(result.status == 78)
    #expect(result.stderr.contains("ANTHROPIC_API_KEY"))
    #expect(result.stderr.contains("fix:"))
  }

  @Test("an unknown provider exits 66 listing the configured ones")
  func unknownProvider() throws {
    let result = try Self.run(["test", "nope", "-p", "hi"])
    #expect(result.status == 66)
    #expect(result.stderr.contains("llamacpp"))
  }

  @Test("providers check reports the local model healthy")
  func providersCheck() throws {
    let result = try Self.run(["providers", "check", "llamacpp"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("ok"))
  }

  @Test("config validate points at the file and line of a mistake; config show hides secrets")
  func configCommands() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ltb-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let bad = directory.appendingPathComponent("bad.toml")
    try "[providers.openai]\nmax_retries = 99\n".write(to: bad, atomically: true, encoding: .utf8)
    let validate = try Self.run(["config", "validate", "--config", bad.path])
    #expect(validate.status == 78)
    #expect(validate.stderr.contains("bad.toml:2"))
    #expect(validate.stderr.contains("out of range"))
    let good = directory.appendingPathComponent("good.toml")
    try "[providers.openai]\nheaders = { Authorization = \"Bearer sk-secret-header\" }\n".write(
      to: good, atomically: true, encoding: .utf8)
    let show = try Self.run(
      ["config", "show", "--config", good.path], environment: ["OPENAI_API_KEY": "sk-secret-env"])
    #expect(show.status == 0, "\(show.stderr)")
    #expect(!show.stdout.contains("sk-secret"))
    #expect(show.stdout.contains("<redacted>"))
    #expect(show.stdout.contains("good.toml:2"))
    let initialized = directory.appendingPathComponent("init.toml")
    let initResult = try Self.run(["config", "init", "--path", initialized.path])
    #expect(initResult.status == 0)
    #expect(try Self.run(["config", "validate", "--config", initialized.path]).status == 0)
    #expect(try Self.run(["config", "init", "--path", initialized.path]).status == 78)
  }
}

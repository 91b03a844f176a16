import ArgumentParser
import AsyncHTTPClient
import Foundation
import LTBCore
import NIOCore
import NIOHTTP1

/// `ltb healthcheck [URL]`: exits 0 when `URL` answers 2xx within the timeout, 69 otherwise: the
/// container health check of the image (which ships no curl) for `ltb serve`'s `/health` and
/// `ltb worker --health-port`'s `/ready`.
struct HealthcheckCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "healthcheck",
    abstract: "Exit 0 when a health URL answers 2xx (the image's container health check).")

  @Argument(help: "The URL to check (default http://127.0.0.1:8080/health).")
  var url = "http://127.0.0.1:8080/health"
  @Option(name: .long, help: "Seconds to wait for the answer (default 3).") var timeout: Double = 3

  func run() async throws {
    guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil
    else {
      throw LTBError(
        .invalidInput, "'\(url)' is not an http(s) URL", fix: "pass e.g. http://127.0.0.1:8080/health")
    }
    guard timeout > 0, timeout <= 300 else {
      throw LTBError(.invalidInput, "--timeout \(timeout) is out of range", fix: "pass 0-300 seconds")
    }
    var configuration = HTTPClient.Configuration()
    configuration.tracing.tracer = nil
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    let outcome: Result<HTTPClientResponse, any Error>
    do {
      let response = try await client.execute(
        HTTPClientRequest(url: url), timeout: .milliseconds(Int64(timeout * 1_000)))
      outcome = .success(response)
    } catch {
      outcome = .failure(error)
    }
    try? await client.shutdown()
    switch outcome {
    case .success(let response) where (200..<300).contains(response.status.code):
      print("healthy: \(url) answered \(response.status.code)")
    case .success(let response):
      let body = (try? await response.body.collect(upTo: 4_096)).map { String(buffer: $0) } ?? ""
      throw LTBError(
        .server, "\(url) answered \(response.status.code) \(body)",
        fix: "read the service's log; /ready names what it waits for")
    case .failure(let error):
      throw LTBError(
        .network, "\(url) did not answer: \(error)", fix: "check that the service runs and listens there")
    }
  }
}

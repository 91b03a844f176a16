import AsyncHTTPClient
import Foundation
import LTBCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The channels that POST JSON: Alertmanager's v2 API, a signed webhook and Slack. A response
/// outside 2xx is a failed attempt, named with its status and the start of its body.
struct HTTPAlertChannel: AlertChannel {
  let name: String
  let kind: AlertChannelSettings.Kind
  let url: String
  let secret: String
  let timeout: Duration
  let client: HTTPClient

  func deliver(_ alert: AlertFiring) async throws {
    let body: String
    var request = HTTPClientRequest(url: url)
    switch kind {
    case .alertmanager:
      request.url = url.hasSuffix("/") ? url + "api/v2/alerts" : url + "/api/v2/alerts"
      body = AlertmanagerPayload.body(alert, generatorURL: "")
    case .webhook:
      body = WebhookPayload.body(alert)
      request.headers.add(name: "X-LTB-Event", value: alert.state)
      if !secret.isEmpty {
        let timestamp = Int64(Date().timeIntervalSince1970)
        request.headers.add(name: "X-LTB-Timestamp", value: String(timestamp))
        request.headers.add(
          name: "X-LTB-Signature",
          value: WebhookPayload.signature(body: body, timestamp: timestamp, secret: secret))
      }
    case .slack:
      body = SlackPayload.body(alert)
    case .email:
      throw LTBError(.configuration, "channel \(name) is an e-mail channel, not an HTTP one")
    }
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: "User-Agent", value: "ltb-alerts")
    request.body = .bytes(ByteBuffer(string: body))
    let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
    guard (200..<300).contains(response.status.code) else {
      let text = String(buffer: try await response.body.collect(upTo: 4_096))
      throw LTBError(
        .network,
        "\(kind.rawValue) channel \(name) answered HTTP \(response.status.code): \(text.prefix(200))")
    }
    _ = try await response.body.collect(upTo: 1 << 20)
  }
}

import Foundation
import LTBCore
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import LTBAlerts

/// The SMTP client against a plain-text SMTP server on loopback that offers no STARTTLS: it is
/// refused unless the channel says `security = "none"`, credentials are never sent in the clear,
/// and a message goes through with its lines dot-stuffed. (STARTTLS and AUTH are tested against
/// aiosmtpd in the end-to-end alerting test.)
@Suite("SMTP client")
struct SMTPClientTests {
  /// A plain SMTP server: greets, answers EHLO without STARTTLS, takes MAIL, RCPT and DATA, and
  /// records each message's text as received (still dot-stuffed).
  final class PlainServer: Sendable {
    /// What the server received.
    final class Log: Sendable {
      let messages = Mutex<[String]>([])
      let commands = Mutex<[String]>([])
    }

    let port: Int
    let log = Log()
    private let task: Task<Void, Never>
    var messages: [String] { log.messages.withLock { $0 } }
    var commands: [String] { log.commands.withLock { $0 } }

    init() async throws {
      let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0) { channel in
          channel.eventLoop.makeCompletedFuture {
            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
          }
        }
      port = server.channel.localAddress?.port ?? 0
      let log = log
      task = Task {
        try? await server.executeThenClose { connections in
          for try await connection in connections {
            Task {
              try? await connection.executeThenClose { input, output in
                try await output.write(ByteBuffer(string: "220 plain.test ESMTP\r\n"))
                var pending = ""
                var inData = false
                for try await chunk in input {
                  pending += String(buffer: chunk)
                  while true {
                    if inData {
                      guard let end = pending.range(of: "\r\n.\r\n") else { break }
                      let text = String(pending[..<end.lowerBound])
                      log.messages.withLock { $0.append(text) }
                      pending.removeSubrange(..<end.upperBound)
                      inData = false
                      try await output.write(ByteBuffer(string: "250 queued\r\n"))
                      continue
                    }
                    guard let end = pending.range(of: "\r\n") else { break }
                    let line = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    log.commands.withLock { $0.append(line) }
                    let verb = line.prefix(4).uppercased()
                    let reply =
                      switch verb {
                      case "EHLO": "250-plain.test\r\n250 8BITMIME\r\n"
                      case "MAIL", "RCPT": "250 ok\r\n"
                      case "DATA": "354 go ahead\r\n"
                      case "QUIT": "221 bye\r\n"
                      default: "502 not implemented\r\n"
                      }
                    if verb == "DATA" { inData = true }
                    try await output.write(ByteBuffer(string: reply))
                    if verb == "QUIT" { return }
                  }
                }
              }
            }
          }
        }
      }
    }

    func stop() { task.cancel() }
  }

  static func settings(port: Int, security: SMTPSettings.Security, username: String = "") -> SMTPSettings {
    SMTPSettings(
      host: "127.0.0.1", port: port, security: security, username: username, password: "secret",
      from: "ltb@example.org", to: ["oncall@example.org", "lead@example.org"])
  }

  @Test("a server without STARTTLS is refused, naming the fix; credentials are not sent in the clear")
  func refusals() async throws {
    let server = try await PlainServer()
    defer { server.stop() }
    await #expect {
      try await SMTPClient(
        settings: Self.settings(port: server.port, security: .starttls), timeout: .seconds(5)
      )
      .send("Subject: x\r\n\r\nbody\r\n")
    } throws: { error in
      let failure = error as? LTBError
      return failure?.message == "the SMTP server 127.0.0.1:\(server.port) does not offer STARTTLS"
        && failure?.fix?.contains("security = \"none\"") == true
    }
    await #expect {
      try await SMTPClient(
        settings: Self.settings(port: server.port, security: .none, username: "alerts"), timeout: .seconds(5)
      ).send("Subject: x\r\n\r\nbody\r\n")
    } throws: { error in
      (error as? LTBError)?.message == "SMTP credentials are only sent over TLS"
    }
    #expect(!server.commands.contains { $0.hasPrefix("AUTH") })
    #expect(server.messages.isEmpty)
  }

  @Test("with security none, a message reaches every recipient with its dot lines stuffed")
  func plainDelivery() async throws {
    let server = try await PlainServer()
    defer { server.stop() }
    try await SMTPClient(settings: Self.settings(port: server.port, security: .none), timeout: .seconds(5))
      .send("Subject: test\r\n\r\nfirst\r\n.hidden line\r\nlast\r\n")
    #expect(server.messages == ["Subject: test\r\n\r\nfirst\r\n..hidden line\r\nlast"])
    let commands = server.commands
    #expect(commands.contains("MAIL FROM:<ltb@example.org>"))
    #expect(
      commands.contains("RCPT TO:<oncall@example.org>") && commands.contains("RCPT TO:<lead@example.org>"))
    #expect(commands.last == "QUIT")
  }
}

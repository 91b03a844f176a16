import Foundation
import LTBCore
import NIOCore
import NIOPosix
import NIOSSL

/// A minimal SMTP submission client on SwiftNIO (RFC 5321): EHLO, STARTTLS (RFC 3207) with
/// certificate verification, AUTH PLAIN (RFC 4954) over TLS only, MAIL, RCPT, DATA with
/// dot-stuffing, QUIT. Every reply is checked; a refusal names the command and the server's words.
struct SMTPClient: Sendable {
  let settings: SMTPSettings
  let timeout: Duration

  /// Sends `message` (headers and body, CRLF lines) to the configured recipients.
  func send(_ message: String) async throws {
    let settings = settings
    let deadline = ContinuousClock.now + timeout
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(.milliseconds(Int64(timeout.milliseconds)))
      .connect(host: settings.host, port: settings.port) { channel in
        channel.eventLoop.makeCompletedFuture {
          try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
        }
      }
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        try await channel.executeThenClose { inbound, outbound in
          var session = Conversation(inbound: inbound.makeAsyncIterator(), outbound: outbound)
          try await session.expect(220, after: "connecting")
          var extensions = try await session.command("EHLO ltb", expect: 250)
          if settings.security == .starttls {
            guard extensions.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
              throw LTBError(
                .network, "the SMTP server \(settings.host):\(settings.port) does not offer STARTTLS",
                fix: "use its submission port (587), or set security = \"none\" for a trusted local relay")
            }
            _ = try await session.command("STARTTLS", expect: 220)
            try await Self.startTLS(on: channel.channel, settings: settings)
            extensions = try await session.command("EHLO ltb", expect: 250)
          }
          if !settings.username.isEmpty {
            guard settings.security == .starttls else {
              throw LTBError(
                .configuration, "SMTP credentials are only sent over TLS",
                fix: "set security = \"starttls\", or remove username and password")
            }
            let token = Data("\u{0}\(settings.username)\u{0}\(settings.password)".utf8).base64EncodedString()
            _ = try await session.command("AUTH PLAIN \(token)", expect: 235, show: "AUTH PLAIN")
          }
          _ = try await session.command("MAIL FROM:<\(settings.from)>", expect: 250)
          for recipient in settings.to {
            _ = try await session.command("RCPT TO:<\(recipient)>", expect: 250)
          }
          _ = try await session.command("DATA", expect: 354)
          let stuffed = message.split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
          let ending = stuffed.hasSuffix("\r\n") ? ".\r\n" : "\r\n.\r\n"
          _ = try await session.command(stuffed + ending, expect: 250, show: "the message")
          _ = try? await session.command("QUIT", expect: 221)
        }
      }
      group.addTask {
        try await Task.sleep(until: deadline)
        throw LTBError(
          .timeout, "the SMTP server \(settings.host):\(settings.port) did not finish within the timeout")
      }
      try await group.next()
      group.cancelAll()
    }
  }

  /// Puts TLS in front of the connection, verifying the server's certificate against its name.
  private static func startTLS(on channel: any Channel, settings: SMTPSettings) async throws {
    var configuration = TLSConfiguration.makeClientConfiguration()
    if !settings.caFile.isEmpty {
      configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(settings.caFile))
    }
    let context = try NIOSSLContext(configuration: configuration)
    let host = settings.host
    try await channel.eventLoop.submit {
      let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
      let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
      try channel.pipeline.syncOperations.addHandler(handler, position: .first)
    }.get()
  }

  /// The reply reader and command writer of one connection.
  struct Conversation {
    var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending = ""

    /// Sends `text` (a command, CRLF added unless it already ends the message) and reads the
    /// reply, which must carry `code`; returns the reply's lines after the code.
    mutating func command(_ text: String, expect code: Int, show: String? = nil) async throws -> [String] {
      try await outbound.write(ByteBuffer(string: text.hasSuffix("\r\n") ? text : text + "\r\n"))
      return try await expect(code, after: show ?? text)
    }

    /// Reads one reply (all its `NNN-` lines and the `NNN ` one); refuses another code.
    @discardableResult
    mutating func expect(_ code: Int, after what: String) async throws -> [String] {
      var lines: [String] = []
      while true {
        let line = try await nextLine()
        guard line.count >= 3, let got = Int(line.prefix(3)) else {
          throw LTBError(.network, "the SMTP server sent '\(line.prefix(80))', not a reply, after \(what)")
        }
        lines.append(String(line.dropFirst(4)))
        if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
          guard got == code else {
            throw LTBError(
              .network, "the SMTP server refused \(what): \(got) \(lines.joined(separator: " ").prefix(200))")
          }
          return lines
        }
      }
    }

    private mutating func nextLine() async throws -> String {
      while true {
        if let end = pending.range(of: "\r\n") {
          let line = String(pending[..<end.lowerBound])
          pending.removeSubrange(..<end.upperBound)
          return line
        }
        guard pending.utf8.count < 65_536, let buffer = try await inbound.next() else {
          throw LTBError(.network, "the SMTP server closed the connection mid-reply")
        }
        pending += String(buffer: buffer)
      }
    }
  }
}

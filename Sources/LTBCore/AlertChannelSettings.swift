import Foundation

/// One notification channel as configured under `[alerts.channels.NAME]`.
public struct AlertChannelSettings: Sendable, Hashable {
  /// What the channel speaks.
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    /// Prometheus Alertmanager's v2 API (`POST /api/v2/alerts`): it groups, silences and routes.
    case alertmanager
    /// A JSON POST signed with HMAC-SHA256.
    case webhook
    /// A Slack incoming webhook, with a Block Kit message.
    case slack
    /// E-mail over SMTP (STARTTLS unless turned off).
    case email
  }

  /// The channel's name (rules list it in `channels`).
  public var name: String
  /// What it speaks.
  public var kind: Kind
  /// Alertmanager's base URL, the webhook's or Slack's URL.
  public var url: String
  /// The webhook's signing secret (empty: unsigned).
  public var secret: String
  /// The SMTP server, for e-mail.
  public var smtp: SMTPSettings?
  /// How long one attempt may take.
  public var timeout: Duration
  /// Attempts before the notification is recorded failed.
  public var maxAttempts: Int

  /// Creates settings (10 s per attempt, 5 attempts).
  public init(
    name: String, kind: Kind, url: String = "", secret: String = "", smtp: SMTPSettings? = nil,
    timeout: Duration = .seconds(10), maxAttempts: Int = 5
  ) {
    self.name = name
    self.kind = kind
    self.url = url
    self.secret = secret
    self.smtp = smtp
    self.timeout = timeout
    self.maxAttempts = max(1, maxAttempts)
  }
}

/// How the e-mail channel reaches its SMTP server and whom it writes to.
public struct SMTPSettings: Sendable, Hashable {
  /// How the connection is secured.
  public enum Security: String, Sendable, Hashable, CaseIterable {
    /// Plain connection upgraded with STARTTLS; refused when the server does not offer it.
    case starttls
    /// No encryption (a local relay only; credentials are never sent this way).
    case none
  }

  /// The server's host name.
  public var host: String
  /// Its port (587 for submission with STARTTLS).
  public var port: Int
  /// How the connection is secured.
  public var security: Security
  /// A PEM file of the certificate authority that signed the server's certificate (empty: the
  /// system's roots).
  public var caFile: String
  /// The user to authenticate as (empty: no authentication).
  public var username: String
  /// The password.
  public var password: String
  /// The sender address.
  public var from: String
  /// The recipients.
  public var to: [String]

  /// Creates settings.
  public init(
    host: String, port: Int = 587, security: Security = .starttls, caFile: String = "", username: String = "",
    password: String = "", from: String, to: [String]
  ) {
    self.host = host
    self.port = port
    self.security = security
    self.caFile = caFile
    self.username = username
    self.password = password
    self.from = from
    self.to = to
  }
}

import LTBCore

/// E-mail: one message per notification to the configured recipients, over SMTP.
struct EmailAlertChannel: AlertChannel {
  let name: String
  let client: SMTPClient

  func deliver(_ alert: AlertFiring) async throws {
    try await client.send(EmailMessage.text(alert, from: client.settings.from, to: client.settings.to))
  }
}

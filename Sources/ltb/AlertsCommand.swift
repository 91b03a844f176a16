import ArgumentParser
import Foundation
import LTBConfig
import LTBCore
import LTBEngine
import LTBStorage

/// `ltb alerts list|ack|rules`: the alerts stored by `ltb serve` and `ltb bench`, and the rules.
struct AlertsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "alerts", abstract: "List and acknowledge alerts, and list the alert rules.",
    subcommands: [List.self, Acknowledge.self, Rules.self])

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Alerts, newest first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Flag(name: .long, help: "Only alerts firing now.") var firing = false
    @Flag(name: .long, help: "Only resolved alerts.") var resolved = false
    @Flag(name: .long, help: "Only alerts nobody acknowledged.") var unacknowledged = false
    @Option(name: .long, help: "Only this session's alerts.") var session: String?
    @Option(name: .long, help: "The most to list.") var limit = 50
    @Flag(name: .long, help: "Print JSON lines instead of a table.") var json = false

    func validate() throws {
      if firing && resolved { throw ValidationError("--firing and --resolved exclude each other") }
      if !(1...10_000).contains(limit) { throw ValidationError("--limit must be 1 to 10000") }
    }

    func run() async throws {
      let sessionID = try session.map(SessionID.parse)
      try await global.withStore(try global.loadConfiguration(), database: storage.database) { store in
        let alerts = try await store.alerts(
          AlertQuery(
            firing: firing ? true : resolved ? false : nil, unacknowledged: unacknowledged,
            sessionID: sessionID,
            limit: limit))
        for alert in alerts {
          if json {
            print(try Console.json(Line(alert), pretty: false))
            continue
          }
          let acknowledged = alert.acknowledgedMicros == nil ? "" : "  acknowledged"
          print(
            "\(alert.id.uuidString.lowercased())  \(alert.state.padding(toLength: 8, withPad: " ", startingAt: 0))  "
              + "\(alert.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  "
              + "\(Console.timestamp(Date(timeIntervalSince1970: Double(alert.triggeredMicros) / 1e6)))  "
              + "\(alert.message)\(acknowledged)")
        }
        if alerts.isEmpty { Console.writeError("no alerts") }
      }
    }

    /// One alert as a JSON line.
    struct Line: Encodable {
      var id: String
      var rule: String
      var state: String
      var severity: String
      var message: String
      var session: String?
      var provider: String?
      var model: String?
      var value: Double?
      var threshold: Double?
      var triggeredAt: String
      var resolvedAt: String?
      var acknowledgedAt: String?

      init(_ alert: AlertRecord) {
        func time(_ micros: Int64?) -> String? {
          micros.map { Console.timestamp(Date(timeIntervalSince1970: Double($0) / 1e6)) }
        }
        id = alert.id.uuidString.lowercased()
        rule = alert.ruleName
        state = alert.state
        severity = alert.severity.rawValue
        message = alert.message
        session = alert.sessionID?.uuidString.lowercased()
        provider = alert.provider
        model = alert.model
        value = alert.value
        threshold = alert.threshold
        triggeredAt = time(alert.triggeredMicros) ?? ""
        resolvedAt = time(alert.resolvedMicros)
        acknowledgedAt = time(alert.acknowledgedMicros)
      }
    }
  }

  struct Acknowledge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "ack", abstract: "Acknowledge an alert (the first acknowledgement stands).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Argument(help: "The alert's id, from `ltb alerts list`.") var id: String
    @Option(name: .long, help: "The user acknowledging it (recorded with the alert).") var user: String?

    func run() async throws {
      guard let alertID = UUID(uuidString: id) else {
        throw LTBError(
          .invalidInput, "'\(id.prefix(40))' is not an alert id", fix: "copy one from `ltb alerts list`")
      }
      try await global.withStore(try global.loadConfiguration(), database: storage.database) { store in
        var userID: UUID?
        if let user {
          guard let record = try await store.user(named: user) else {
            throw LTBError(.notFound, "no user named \(user)", fix: "list users with `ltb users list`")
          }
          userID = record.id
        }
        guard
          let alert = try await store.acknowledgeAlert(
            alertID, by: userID, atMicros: WallClock.nowMicros)
        else {
          throw LTBError(.notFound, "no alert has id \(id)", fix: "list alerts with `ltb alerts list`")
        }
        print("acknowledged \(alert.id.uuidString.lowercased()): \(alert.message)")
      }
    }
  }

  struct Rules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The configuration's rules and those created through the API.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption

    func run() async throws {
      let configuration = try global.loadConfiguration()
      try await global.withStore(configuration, database: storage.database) { store in
        let rules =
          configuration.alertRules.map { ($0, "configuration") }
          + (try await store.alertRules()).map { ($0, "api") }
        for (rule, source) in rules {
          let channels = rule.channels.isEmpty ? "no channels" : "→ " + rule.channels.joined(separator: ", ")
          print(
            "\(rule.name)  [\(rule.severity.rawValue), \(source)\(rule.enabled ? "" : ", disabled")]  \(rule.summary)"
              + " over \(rule.window.text)\(rule.forSeconds > 0 ? " for \(rule.forSeconds) s" : "")  \(channels)"
          )
        }
        if rules.isEmpty { Console.writeError("no alert rules: add [[alerts.rules]] to the configuration") }
      }
    }
  }
}

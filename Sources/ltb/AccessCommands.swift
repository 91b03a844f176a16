import ArgumentParser
import Foundation
import LTBAuth
import LTBConfig
import LTBCore
import LTBStorage

/// Opens the store and an auth service for the user and key commands (they never sign tokens,
/// so the service's signing secret is a throwaway).
private func withAuth<T: Sendable>(
  _ global: GlobalOptions, _ storage: DatabaseOption, _ body: (AuthService, any BenchStore) async throws -> T
) async throws -> T {
  try await global.withStore(try global.loadConfiguration(), database: storage.database) { store in
    let issuer = try await TokenIssuer(
      secret: APIKeyFormat.generate(), issuer: "ltb", audience: "ltb-api", lifetime: .seconds(60))
    return try await body(try AuthService(store: store, issuer: issuer), store)
  }
}

private let commandLine = ClientInfo(ipAddress: nil, userAgent: "ltb command line")

/// `ltb users create|list|update`.
struct UsersCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "users", abstract: "Create, list and change the users of the API server.",
    subcommands: [Create.self, List.self, Update.self])

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create a user; the password is read from a prompt, or from stdin when it is not a terminal.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Argument(help: "The login name.") var username: String
    @Option(name: .long, help: "The email address.") var email: String
    @Option(name: .long, help: "admin, user or viewer.") var role = "user"

    func run() async throws {
      let role = try Role(parsing: role)
      let password = try PasswordInput.read(prompt: "Password for \(username): ")
      let user = try await withAuth(global, storage) { auth, _ in
        try await auth.createUser(
          username: username, email: email, password: password, role: role, by: nil, client: commandLine)
      }
      print("created \(user.role.rawValue) \(user.username) (\(user.id.lowercasedText))")
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every user.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption

    func run() async throws {
      let users = try await withAuth(global, storage) { _, store in try await store.users() }
      for user in users {
        print(
          "\(user.id.lowercasedText)  \(user.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  "
            + "\(user.isActive ? "active  " : "inactive")  \(user.username) <\(user.email)>")
      }
    }
  }

  struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Change a user's role, or deactivate or reactivate them (deactivation revokes their tokens and keys)."
    )
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Argument(help: "The login name.") var username: String
    @Option(name: .long, help: "The new role: admin, user or viewer.") var role: String?
    @Flag(name: .long, inversion: .prefixedNo, help: "Activate (--active) or deactivate (--no-active).")
    var active: Bool?

    func run() async throws {
      let role = try role.map { name throws(LTBError) in try Role(parsing: name) }
      let user = try await withAuth(global, storage) { auth, store in
        guard let user = try await store.user(named: username) else {
          throw LTBError(.notFound, "no user \(username)", fix: "list users with `ltb users list`")
        }
        return try await auth.updateUser(user.id, role: role, active: active, by: nil, client: commandLine)
      }
      print("\(user.username): \(user.role.rawValue), \(user.isActive ? "active" : "inactive")")
    }
  }
}

/// `ltb keys create|list|revoke`.
struct KeysCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keys", abstract: "Create, list and revoke API keys.",
    subcommands: [Create.self, List.self, Revoke.self])

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a key for a user; it is printed once.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Option(name: .long, help: "The owner's login name.") var user: String
    @Option(name: .long, help: "A label.") var name: String
    @Option(name: .long, help: "The key's role (never above the owner's); the owner's by default.") var role:
      String?
    @Option(name: .long, help: "Days until it expires; never by default.") var expiresInDays: Int?

    func run() async throws {
      let role = try role.map { name throws(LTBError) in try Role(parsing: name) }
      if let days = expiresInDays, days < 1 {
        throw LTBError(.invalidInput, "--expires-in-days must be at least 1", fix: "pass a positive number")
      }
      let created = try await withAuth(global, storage) { auth, store in
        guard let owner = try await store.user(named: user) else {
          throw LTBError(.notFound, "no user \(user)", fix: "create one with `ltb users create`")
        }
        return try await auth.createAPIKey(
          owner: owner.id, name: name, role: role, scopes: nil,
          expiresAt: expiresInDays.map { Date().addingTimeInterval(Double($0) * 86_400) }, by: nil,
          client: commandLine)
      }
      Console.writeError(
        "key \(created.record.id) (\(created.record.role.rawValue)); store it now, it is not shown again")
      print(created.key)
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Keys (never the keys themselves), newest first.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Option(name: .long, help: "Only this user's keys.") var user: String?

    func run() async throws {
      let keys = try await withAuth(global, storage) { _, store in
        var owner: UUID?
        if let user {
          guard let found = try await store.user(named: user) else {
            throw LTBError(.notFound, "no user \(user)", fix: "list users with `ltb users list`")
          }
          owner = found.id
        }
        return try await store.apiKeys(user: owner)
      }
      for key in keys {
        let state =
          key.revokedAt != nil
          ? "revoked" : (key.expiresAt.map { $0 <= Date() } ?? false) ? "expired" : "active"
        print(
          "\(key.id)  \(key.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))  \(state.padding(toLength: 7, withPad: " ", startingAt: 0))  "
            + "\(key.userID.lowercasedText)  \(key.name)")
      }
    }
  }

  struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke a key by its id.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var storage: DatabaseOption
    @Argument(help: "The key id (the 8 characters after ltb_).") var id: String

    func run() async throws {
      let record = try await withAuth(global, storage) { auth, _ in
        try await auth.revokeAPIKey(id: id, by: nil, client: commandLine)
      }
      print("revoked \(record.id) (\(record.name))")
    }
  }
}

/// Reads a secret without echoing it: from the terminal, or a line of stdin when piped.
enum PasswordInput {
  static func read(prompt: String) throws -> String {
    if isatty(STDIN_FILENO) == 1 {
      guard let pointer = getpass(prompt) else {
        throw LTBError(.invalidInput, "no password entered", fix: "type it at the prompt")
      }
      let first = String(cString: pointer)
      guard let again = getpass("Again: "), String(cString: again) == first else {
        throw LTBError(.invalidInput, "the two passwords differ", fix: "run the command again")
      }
      return first
    }
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
      throw LTBError(
        .invalidInput, "no password on stdin",
        fix: "pipe it: printf '%s\\n' \"$PASSWORD\" | ltb users create ...")
    }
    return line
  }
}

public import Foundation
public import LTBCore

/// The labels an alert is raised for: one session's requests to one provider and model, or the
/// whole store for the queue and worker rules.
public struct AlertGroup: Sendable, Hashable {
  /// The session (`nil` for store-wide figures).
  public var session: UUID?
  /// The provider's configured name (empty for store-wide figures).
  public var provider: String
  /// The model (empty for store-wide figures).
  public var model: String

  /// Creates a group.
  public init(session: UUID?, provider: String, model: String) {
    self.session = session
    self.provider = provider
    self.model = model
  }

  /// The group of the queue and worker figures.
  public static let storeWide = AlertGroup(session: nil, provider: "", model: "")
}

extension AlertLabels {
  /// Whether a rule with these labels watches `group`.
  public func matches(_ group: AlertGroup) -> Bool {
    (session == nil || session == group.session) && (provider == nil || provider == group.provider)
      && (model == nil || model == group.model)
  }
}

/// One rule's alert for one group.
struct AlertInstanceKey: Sendable, Hashable {
  var rule: UUID
  var group: AlertGroup
}

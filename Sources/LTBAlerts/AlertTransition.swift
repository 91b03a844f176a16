/// What one evaluation changed.
public enum AlertTransition: Sendable, Hashable {
  /// An alert started.
  case fired(AlertFiring)
  /// An alert stopped (its condition no longer holds, its rule changed, or its session ended).
  case resolved(AlertFiring)

  /// The alert.
  public var alert: AlertFiring {
    switch self {
    case .fired(let alert), .resolved(let alert): alert
    }
  }
}

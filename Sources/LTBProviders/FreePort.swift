import Foundation
import LTBCore

#if canImport(Glibc)
  import Glibc
#endif

/// Finds a free TCP port on the loopback interface.
public enum FreePort {
  /// A port nothing listens on right now.
  public static func find() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw LTBError(.internal, "could not open a socket to find a free port") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
      }
    }
    guard bound else { throw LTBError(.internal, "could not bind a socket to find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}

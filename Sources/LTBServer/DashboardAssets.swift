import Foundation
import NIOCore

/// The dashboard's files (`Sources/LTBServer/Dashboard`), read once from the binary's resource
/// bundle: each with its content type and an ETag, served as they are (no build step).
struct DashboardAssets: Sendable {
  /// One file.
  struct Asset: Sendable {
    var bytes: ByteBuffer
    var contentType: String
    var etag: String
  }

  /// By path below `/dashboard/` (`index.html`, `js/app.js`, ...).
  let files: [String: Asset]

  /// The files of the bundled `Dashboard` folder (none when the bundle lacks it).
  static let bundled = DashboardAssets(
    directory: Bundle.module.url(forResource: "Dashboard", withExtension: nil))

  init(directory: URL?) {
    var files: [String: Asset] = [:]
    if let directory,
      let walker = FileManager.default.enumerator(
        at: directory, includingPropertiesForKeys: [.isRegularFileKey])
    {
      let base = directory.resolvingSymlinksInPath().path + "/"
      for case let url as URL in walker {
        guard let data = try? Data(contentsOf: url),
          (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true
        else { continue }
        let path = String(url.resolvingSymlinksInPath().path.dropFirst(base.count))
        files[path] = Asset(
          bytes: ByteBuffer(bytes: data), contentType: Self.contentType(path),
          etag: "\"\(String(Self.fnv1a(data), radix: 16))\"")
      }
    }
    self.files = files
  }

  /// The content type of a file by its extension.
  static func contentType(_ path: String) -> String {
    switch path.split(separator: ".").last.map(String.init) {
    case "html": "text/html; charset=utf-8"
    case "js": "text/javascript; charset=utf-8"
    case "css": "text/css; charset=utf-8"
    case "svg": "image/svg+xml"
    case "json": "application/json"
    default: "application/octet-stream"
    }
  }

  /// A 64-bit FNV-1a hash of the bytes (an ETag, not a security measure).
  static func fnv1a(_ data: Data) -> UInt64 {
    data.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
  }
}

import Foundation
import LTBCore
import Testing

/// The image's runtime stage rebuilt without Docker: an empty directory holding only what the
/// base image (`debian:bookworm-slim`) provides that `ltb` could need (the files of the Debian
/// packages `scripts/package` treats as the base's, the merged-/usr links, mount points) plus the
/// tarball of `scripts/package`, unpacked. Processes run in it with `chroot` as uid 10001, in a
/// mount namespace of their own where the root is read-only (as the deployments mount it), with
/// tmpfs on `/tmp` and `/var/lib/ltb`, the host's `/dev`, a `/proc`, and the test's secrets on
/// `/run/secrets`. The network is the host's, so PostgreSQL and the fake provider on loopback
/// are reachable.
final class ImageRoot: @unchecked Sendable {
  /// The packages whose files stand in for the base image (as in scripts/package).
  static let basePackages = ["libc6", "libgcc-s1", "libstdc++6", "zlib1g"]

  let directory: URL
  let root: URL
  let secrets: URL
  private var started: [Process] = []

  /// The tarball: `$LTB_PACKAGE` (scripts/test makes it), else `scripts/package` now.
  static func tarball() throws -> String {
    if let path = ProcessInfo.processInfo.environment["LTB_PACKAGE"], !path.isEmpty { return path }
    let made = try Shell.run(
      "/bin/sh", ["-c", "cd '\(BenchCommandTests.repository.path)' && scripts/package 2>/dev/null"])
    guard made.status == 0 else { throw LTBError(.internal, "scripts/package failed: \(made.stderr)") }
    return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A root with the base's files and `tarball` unpacked; `prepare` may change the unpacked tree
  /// before use (a test removes a file to see the run fail).
  init(tarball: String, prepare: (URL) throws -> Void = { _ in }) throws {
    directory = try BenchCommandTests.temporaryDirectory()
    root = directory.appendingPathComponent("root")
    secrets = directory.appendingPathComponent("secrets")
    let manager = FileManager.default
    try manager.createDirectory(at: root, withIntermediateDirectories: true)
    try manager.createDirectory(at: secrets, withIntermediateDirectories: true)
    let files = try Shell.run("/usr/bin/dpkg", ["-L"] + Self.basePackages)
    guard files.status == 0 else { throw LTBError(.internal, "dpkg -L: \(files.stderr)") }
    // Regular files and links of the base packages, at their paths (merged /usr: /lib is usr/lib).
    let copy = try Shell.run(
      "/bin/sh",
      [
        "-c",
        """
        set -e; cd '\(root.path)'
        mkdir -p usr/bin usr/lib usr/lib64 usr/sbin dev proc tmp run/secrets var/lib/ltb etc
        ln -s usr/bin bin; ln -s usr/lib lib; ln -s usr/lib64 lib64; ln -s usr/sbin sbin
        for f in \(files.stdout.split(separator: "\n").map { "'\($0)'" }.joined(separator: " ")); do
          [ -d "$f" ] && continue
          [ -f "$f" ] || [ -L "$f" ] || continue
          case "$f" in /lib/*|/lib64/*|/bin/*|/sbin/*) to="./usr$f" ;; *) to=".$f" ;; esac
          mkdir -p "$(dirname "$to")"; cp -a "$f" "$to"
        done
        printf 'root:x:0:0::/root:/bin/sh\\nltb:x:10001:10001::/var/lib/ltb:/bin/sh\\n' > etc/passwd
        tar -xzf '\(tarball)' -C .
        """,
      ])
    guard copy.status == 0 else { throw LTBError(.internal, "cannot build the root: \(copy.stderr)") }
    try prepare(root)
  }

  deinit {
    // The shell is the first process of its PID namespace and dies with `unshare`: killing
    // `unshare` ends everything started inside.
    for process in started where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    try? FileManager.default.removeItem(at: directory)
  }

  /// Writes a secret file, readable by the image's user, at `/run/secrets/NAME` inside.
  func secret(_ name: String, _ value: String) throws {
    let url = secrets.appendingPathComponent(name)
    try Data(value.utf8).write(to: url)
    _ = try Shell.run("/bin/chown", ["10001:10001", url.path])
  }

  /// Starts `ltb ARGUMENTS` inside the root (through /usr/local/bin/ltb, as the image's
  /// ENTRYPOINT does) with only `environment` and the image's HOME and PATH; its output goes to
  /// a log file (``log(_:)``).
  func start(
    _ arguments: [String], environment: [String: String] = [:], input: String? = nil, log name: String
  ) throws -> Process {
    let r = root.path
    let script = """
      set -e
      mount --bind '\(r)' '\(r)'
      mount -o remount,bind,ro '\(r)'
      mount -t tmpfs -o mode=1777 tmpfs '\(r)/tmp'
      mount -t tmpfs -o uid=10001,gid=10001 tmpfs '\(r)/var/lib/ltb'
      mount --bind /dev '\(r)/dev'
      mount -t proc proc '\(r)/proc'
      mount --bind -o ro '\(secrets.path)' '\(r)/run/secrets'
      /usr/sbin/chroot --userspec=10001:10001 '\(r)' /usr/local/bin/ltb "$@"
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
    process.arguments =
      ["--mount", "--pid", "--fork", "--kill-child", "/bin/sh", "-c", script, "sh"] + arguments
    process.environment =
      ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/var/lib/ltb"].merging(environment) { _, given in
        given
      }
    let output = FileManager.default.createFile(atPath: logPath(name), contents: nil)
    #expect(output)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath(name)))
    process.standardOutput = handle
    process.standardError = handle
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    started.append(process)
    return process
  }

  /// Runs `ltb ARGUMENTS` inside to its end: its status and output.
  func run(
    _ arguments: [String], environment: [String: String] = [:], input: String? = nil, log name: String
  ) throws -> (status: Int32, output: String) {
    let process = try start(arguments, environment: environment, input: input, log: name)
    process.waitUntilExit()
    return (process.terminationStatus, log(name))
  }

  /// What a process wrote.
  func log(_ name: String) -> String {
    (try? String(contentsOfFile: logPath(name), encoding: .utf8)) ?? ""
  }

  private func logPath(_ name: String) -> String { directory.appendingPathComponent("\(name).log").path }
}

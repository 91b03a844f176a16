public import Foundation
public import LTBCore
public import LTBStorage
public import Logging
import Synchronization

/// The installed plugins: files in a directory (`DIR/NAME/plugin.toml` and its module) and
/// rows in the store (`plugins`). Every enabled plugin is loaded and checked once and then
/// called many times. ``refresh()`` (run every second by ``PluginWatcher`` in `ltb serve`)
/// swaps in what changed, from this process or another: a module replaced on disk, a new
/// version installed, a plugin enabled, disabled, configured or removed. Calls already running
/// finish on the version they started with.
public final class PluginRegistry: Sendable {
  /// Where plugin files live.
  public let directory: URL
  /// After this many consecutive failures (traps, exhausted fuel, timeouts, broken answers) a
  /// plugin is disabled, with the last failure as the reason.
  public let failureLimit: Int
  private let store: any PluginStore
  private let logger: Logger
  private let state = Mutex(State())

  private struct State {
    /// The enabled plugins, loaded.
    var loaded: [String: LoadedPlugin] = [:]
    /// What each loaded plugin was loaded from: its row's update time and its files' stamps.
    var stamps: [String: String] = [:]
    /// Why a plugin that should run could not be loaded.
    var problems: [String: String] = [:]
    /// Consecutive failures per plugin.
    var failures: [String: Int] = [:]
  }

  /// A registry over `directory` and `store`.
  public init(directory: URL, store: any PluginStore, failureLimit: Int = 20, logger: Logger) {
    self.directory = directory
    self.store = store
    self.failureLimit = max(1, failureLimit)
    self.logger = logger
  }

  /// The registry of `settings` (its directory, or `DATA_DIR/plugins` given as `directory`)
  /// over `store`, with every enabled plugin loaded.
  public static func open(
    directory: String, settings: PluginSettings, store: any PluginStore, logger: Logger
  ) async -> PluginRegistry {
    let registry = PluginRegistry(
      directory: URL(fileURLWithPath: directory, isDirectory: true), store: store,
      failureLimit: settings.failureLimit, logger: logger)
    await registry.refresh()
    return registry
  }

  /// The enabled plugin named `name`, loaded (`nil` when there is none or it failed to load).
  public func plugin(_ name: String) -> LoadedPlugin? { state.withLock { $0.loaded[name] } }

  /// Why `name` is not loaded, when it should be.
  public func problem(_ name: String) -> String? { state.withLock { $0.problems[name] } }

  // MARK: Installing and managing

  /// Installs (or upgrades) a plugin from its manifest text and module (binary or, for a
  /// `.wat` module name, WebAssembly text): validates the manifest, the module (hash, imports,
  /// exports, ABI version), the granted capabilities and the configuration against the schema,
  /// then writes the files and the row and loads it. A new version of an installed plugin
  /// keeps its configuration unless `configuration` is given.
  @discardableResult
  public func install(
    manifest text: String, module data: Data, configuration: JSONValue? = nil,
    grant: Set<PluginCapability> = [],
    by user: UUID? = nil
  ) async throws -> PluginRecord {
    let manifest = try PluginManifest.parse(text)
    let bytes = try LoadedPlugin.moduleBytes(data, fileName: manifest.module)
    let existing = try await store.plugins().first { $0.name == manifest.name }
    let settings = try configuration ?? existing.map { try JSONValue.parse($0.configuration) } ?? .object([:])
    try Self.check(configuration: settings, manifest)
    let loaded = try LoadedPlugin(manifest: manifest, bytes: bytes, granted: grant, configuration: settings)
    let folder = directory.appendingPathComponent(manifest.name, isDirectory: true)
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      // The module is written first, then the manifest: a reader that sees the new manifest sees its module.
      try data.write(to: folder.appendingPathComponent(manifest.module), options: .atomic)
      try Data(text.utf8).write(to: folder.appendingPathComponent("plugin.toml"), options: .atomic)
    } catch {
      throw LTBError(
        .storage, "cannot write the plugin to \(folder.path): \(error.localizedDescription)",
        fix: "check that [plugins] directory is writable")
    }
    let now = Self.nowMicros()
    let record = PluginRecord(
      name: manifest.name, version: manifest.version, kind: manifest.kind.rawValue, abiVersion: manifest.abi,
      sha256: loaded.sha256, manifest: manifest.json, configuration: settings.serialized(sortedKeys: true),
      granted: grant.map(\.rawValue).sorted(), enabled: true, installedBy: user ?? existing?.installedBy,
      installedMicros: existing?.installedMicros ?? now, updatedMicros: now)
    try await store.savePlugin(record)
    swap(in: loaded, stamp: stamp(record, folder: folder, module: manifest.module))
    logger.info(
      "plugin installed",
      metadata: [
        "plugin": "\(manifest.name)", "version": "\(manifest.version)", "sha256": "\(loaded.sha256)",
      ])
    return record
  }

  /// Installs the plugin in `folder` (its `plugin.toml` and the module it names).
  @discardableResult
  public func install(
    folder: URL, configuration: JSONValue? = nil, grant: Set<PluginCapability> = [], by user: UUID? = nil
  ) async throws -> PluginRecord {
    let manifestURL = folder.appendingPathComponent("plugin.toml")
    guard let text = try? String(contentsOf: manifestURL, encoding: .utf8) else {
      throw LTBError(
        .notFound, "no plugin.toml in \(folder.path)",
        fix: "point at a folder holding plugin.toml and its module")
    }
    let manifest = try PluginManifest.parse(text, path: manifestURL.path)
    let moduleURL = folder.appendingPathComponent(manifest.module)
    guard let data = try? Data(contentsOf: moduleURL) else {
      throw LTBError(
        .notFound, "plugin.toml names the module \(manifest.module), which is not in \(folder.path)",
        fix: "build it (scripts/build-plugins for the examples) or correct module in plugin.toml")
    }
    return try await install(
      manifest: text, module: data, configuration: configuration, grant: grant, by: user)
  }

  /// Enables or disables a plugin (with the reason when disabling).
  @discardableResult
  public func setEnabled(_ name: String, _ enabled: Bool, reason: String? = nil) async throws -> PluginRecord
  {
    var record = try await require(name)
    record.enabled = enabled
    record.disabledReason = enabled ? nil : (reason ?? "disabled by an operator")
    record.updatedMicros = Self.nowMicros()
    try await store.savePlugin(record)
    if enabled {
      state.withLock { $0.failures[name] = 0 }
      await refresh()
    } else {
      state.withLock { state in
        state.loaded[name] = nil
        state.stamps[name] = nil
      }
    }
    return record
  }

  /// Replaces a plugin's configuration, checked against its schema.
  @discardableResult
  public func configure(_ name: String, _ configuration: JSONValue) async throws -> PluginRecord {
    var record = try await require(name)
    let manifest = try Self.manifest(of: record)
    try Self.check(configuration: configuration, manifest)
    record.configuration = configuration.serialized(sortedKeys: true)
    record.updatedMicros = Self.nowMicros()
    try await store.savePlugin(record)
    await refresh()
    return record
  }

  /// Removes a plugin: its row, its files and the loaded version (calls running finish).
  public func remove(_ name: String) async throws {
    _ = try await require(name)
    try await store.deletePlugin(name)
    try? FileManager.default.removeItem(at: directory.appendingPathComponent(name, isDirectory: true))
    state.withLock { state in
      state.loaded[name] = nil
      state.stamps[name] = nil
      state.problems[name] = nil
    }
  }

  /// Every installed plugin.
  public func records() async throws -> [PluginRecord] { try await store.plugins() }

  /// The installed plugin named `name`, or a not-found error naming the fix.
  public func require(_ name: String) async throws -> PluginRecord {
    guard let record = try await store.plugins().first(where: { $0.name == name }) else {
      throw LTBError(
        .notFound, "no plugin named '\(name)' is installed",
        fix: "list them with `ltb plugins list`; install with `ltb plugins install FOLDER`")
    }
    return record
  }

  // MARK: Loading and hot reload

  /// Brings the loaded plugins in line with the store and the files: loads what is new or
  /// changed (a module replaced on disk is checked and, when valid, recorded as the plugin's
  /// new hash and version), unloads what was disabled or removed. A plugin that fails its
  /// checks keeps running its last good version, and the problem is logged.
  public func refresh() async {
    let records: [PluginRecord]
    do {
      records = try await store.plugins()
    } catch {
      logger.warning("plugin registry: cannot read the plugins table", metadata: ["error": "\(error)"])
      return
    }
    let wanted = Set(records.filter(\.enabled).map(\.name))
    state.withLock { state in
      for name in state.loaded.keys where !wanted.contains(name) {
        state.loaded[name] = nil
        state.stamps[name] = nil
      }
      for name in state.problems.keys where !wanted.contains(name) { state.problems[name] = nil }
    }
    for record in records where record.enabled { await load(record) }
  }

  private func load(_ record: PluginRecord) async {
    let folder = directory.appendingPathComponent(record.name, isDirectory: true)
    let manifestURL = folder.appendingPathComponent("plugin.toml")
    guard let text = try? String(contentsOf: manifestURL, encoding: .utf8),
      let manifest = try? PluginManifest.parse(text, path: manifestURL.path)
    else {
      note(record.name, problem: "\(manifestURL.path) is missing or invalid; reinstall the plugin")
      return
    }
    let stamp = stamp(record, folder: folder, module: manifest.module)
    if state.withLock({ $0.stamps[record.name] == stamp && $0.loaded[record.name] != nil }) { return }
    do {
      guard let data = try? Data(contentsOf: folder.appendingPathComponent(manifest.module)) else {
        throw LTBError(.notFound, "its module \(manifest.module) is missing", fix: "reinstall the plugin")
      }
      let bytes = try LoadedPlugin.moduleBytes(data, fileName: manifest.module)
      let configuration = try JSONValue.parse(record.configuration)
      try Self.check(configuration: configuration, manifest)
      let loaded = try LoadedPlugin(
        manifest: manifest, bytes: bytes,
        granted: Set(record.granted.compactMap(PluginCapability.init(rawValue:))),
        configuration: configuration)
      if loaded.sha256 != record.sha256 || manifest.version != record.version {
        // The files were replaced in place: record what now runs.
        var updated = record
        updated.sha256 = loaded.sha256
        updated.version = manifest.version
        updated.manifest = manifest.json
        updated.updatedMicros = Self.nowMicros()
        try await store.savePlugin(updated)
        logger.info(
          "plugin reloaded from its replaced files",
          metadata: [
            "plugin": "\(record.name)", "version": "\(manifest.version)", "sha256": "\(loaded.sha256)",
          ])
        swap(in: loaded, stamp: self.stamp(updated, folder: folder, module: manifest.module))
      } else {
        swap(in: loaded, stamp: stamp)
      }
    } catch {
      let message = (error as? LTBError)?.message ?? "\(error)"
      note(record.name, problem: message)
    }
  }

  private func swap(in loaded: LoadedPlugin, stamp: String) {
    state.withLock { state in
      state.loaded[loaded.manifest.name] = loaded
      state.stamps[loaded.manifest.name] = stamp
      state.problems[loaded.manifest.name] = nil
    }
  }

  private func note(_ name: String, problem: String) {
    let changed = state.withLock { state in
      defer { state.problems[name] = problem }
      return state.problems[name] != problem
    }
    if changed {
      logger.error("plugin not loaded", metadata: ["plugin": "\(name)", "problem": "\(problem)"])
    }
  }

  /// What a plugin was loaded from: its row's update time and its files' sizes and times.
  private func stamp(_ record: PluginRecord, folder: URL, module: String) -> String {
    func file(_ name: String) -> String {
      let attributes = try? FileManager.default.attributesOfItem(
        atPath: folder.appendingPathComponent(name).path)
      let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
      let time = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
      return "\(size)@\(time)"
    }
    return "\(record.updatedMicros)|\(file("plugin.toml"))|\(file(module))"
  }

  // MARK: Failures

  /// Records a call's outcome: a success resets the count; `failureLimit` failures in a row
  /// disable the plugin with the last failure as the reason.
  public func record(_ plugin: LoadedPlugin, failure: PluginCallError?) async {
    let name = plugin.manifest.name
    guard let failure else {
      state.withLock { $0.failures[name] = 0 }
      return
    }
    let count = state.withLock { state -> Int in
      state.failures[name, default: 0] += 1
      return state.failures[name] ?? 0
    }
    guard count == failureLimit else { return }
    let reason = "disabled after \(count) consecutive failures; the last: \(failure.message)"
    logger.error("plugin disabled", metadata: ["plugin": "\(name)", "reason": "\(reason)"])
    _ = try? await setEnabled(name, false, reason: reason)
  }

  // MARK: Helpers

  static func check(configuration: JSONValue, _ manifest: PluginManifest) throws(LTBError) {
    let problems = manifest.problems(configuration: configuration)
    guard problems.isEmpty else {
      throw LTBError(
        .invalidInput,
        "\(manifest.name)'s configuration does not fit its schema: " + problems.joined(separator: "; "),
        fix: "give a configuration that matches config_schema in its plugin.toml")
    }
  }

  /// The manifest a record holds.
  public static func manifest(of record: PluginRecord) throws(LTBError) -> PluginManifest {
    guard let manifest = try? JSONDecoder().decode(PluginManifest.self, from: Data(record.manifest.utf8))
    else {
      throw LTBError(
        .storage, "the stored manifest of \(record.name) is unreadable", fix: "reinstall the plugin")
    }
    return manifest
  }

  static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
}

// swift-tools-version: 6.3
import PackageDescription

let upcomingFeatures: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "ltb",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "ltb", targets: ["ltb"]),
    .library(name: "LTBCore", targets: ["LTBCore"]),
    .library(name: "LTBProviders", targets: ["LTBProviders"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
    .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
    .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
    .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.3.0"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0"),
    .package(url: "https://github.com/swiftwasm/WasmKit", from: "0.4.2"),
  ],
  targets: [
    .target(
      name: "LTBCore", dependencies: [.product(name: "Tracing", package: "swift-distributed-tracing")],
      swiftSettings: upcomingFeatures),
    .target(
      name: "LTBConfig",
      dependencies: [
        "LTBCore", .product(name: "TOMLKit", package: "TOMLKit"), .product(name: "Yams", package: "Yams"),
      ],
      resources: [.copy("Resources/models.toml")],
      swiftSettings: upcomingFeatures
    ),
    .target(
      name: "LTBProviders",
      dependencies: [
        "LTBCore",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .target(
      name: "LTBFakeServer",
      dependencies: [
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .target(
      name: "LTBMedia",
      dependencies: [
        "LTBCore", "CVipsLoader", .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .target(
      name: "LTBDatasets",
      dependencies: [
        "LTBCore", "LTBMedia", .product(name: "Yams", package: "Yams"),
        .product(name: "CSV", package: "CSV.swift"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .target(
      name: "LTBStorage",
      dependencies: [
        "LTBCore",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "SQLKit", package: "sql-kit"),
        .product(name: "SQLiteKit", package: "sqlite-kit"),
        .product(name: "PostgresKit", package: "postgres-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ],
      resources: [.copy("Migrations")],
      swiftSettings: upcomingFeatures
    ),
    .target(
      name: "LTBEngine",
      dependencies: [
        "LTBCore", "LTBProviders", "LTBStorage", "LTBDatasets", "LTBEvaluation", "LTBPlugins", "LTBMedia",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .target(
      name: "LTBEvaluation",
      dependencies: [
        "LTBCore", "LTBStorage", "LTBMedia", .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
      ],
      resources: [.copy("Resources/judges")], swiftSettings: upcomingFeatures),
    // WebAssembly plugins: manifest, registry, sandboxed runtime (WasmKit), evaluator and transforms.
    .target(
      name: "LTBPlugins",
      dependencies: [
        "LTBCore", "LTBStorage", "LTBEvaluation",
        .product(name: "WasmKit", package: "WasmKit"),
        .product(name: "WasmKitWASI", package: "WasmKit"),
        .product(name: "WASI", package: "WasmKit"),
        .product(name: "WAT", package: "WasmKit"),
        .product(name: "TOMLKit", package: "TOMLKit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: upcomingFeatures),
    .target(
      name: "LTBCodegen", dependencies: ["LTBCore", .product(name: "GraphQL", package: "GraphQL")],
      swiftSettings: upcomingFeatures),
    .executableTarget(name: "ltb-codegen", dependencies: ["LTBCodegen"], swiftSettings: upcomingFeatures),
    .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
    .target(name: "CVipsLoader", linkerSettings: [.linkedLibrary("dl")]),
    .target(
      name: "LTBAuth",
      dependencies: [
        "LTBCore", "LTBStorage", "CArgon2",
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
      ], swiftSettings: upcomingFeatures),
    .target(
      name: "LTBAPI",
      dependencies: [
        "LTBCore", "LTBStorage", "LTBEngine", "LTBEvaluation", "LTBProviders", "LTBConfig", "LTBAuth",
        "LTBAlerts", "LTBPlugins", "LTBIntegrations",
        .product(name: "GraphQL", package: "GraphQL"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "OrderedCollections", package: "swift-collections"),
      ], swiftSettings: upcomingFeatures),
    .target(
      name: "LTBObservability",
      dependencies: [
        "LTBCore", "LTBEngine", "LTBConfig", .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "OTel", package: "swift-otel"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: upcomingFeatures),
    // Generated from proto/ by scripts/generate-protos (checked by a drift test); nothing else.
    // Exports to experiment trackers (MLflow).
    .target(
      name: "LTBIntegrations",
      dependencies: [
        "LTBCore", "LTBConfig", "LTBStorage", "LTBEngine", "LTBEvaluation", "LTBDatasets",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: upcomingFeatures),
    .target(
      name: "LTBAlerts",
      dependencies: [
        "LTBCore", "LTBStorage", "LTBEngine", "LTBConfig",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      swiftSettings: upcomingFeatures),
    .target(
      name: "LTBProtocol",
      dependencies: [
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]),
    .target(
      name: "LTBDistributed",
      dependencies: [
        "LTBCore", "LTBStorage", "LTBAuth", "LTBProtocol", "LTBEngine", "LTBProviders", "LTBConfig",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: upcomingFeatures),
    .target(
      name: "LTBServer",
      dependencies: [
        "LTBAPI", "LTBCore", "LTBStorage", "LTBObservability", "LTBDistributed", "LTBAlerts", "LTBPlugins",
        "LTBIntegrations",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "NIOWebSocket", package: "swift-nio"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "OrderedCollections", package: "swift-collections"),
        .product(name: "GraphQL", package: "GraphQL"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "Logging", package: "swift-log"),
      ], resources: [.copy("Dashboard")], swiftSettings: upcomingFeatures),
    .executableTarget(
      name: "ltb",
      dependencies: [
        "LTBCore", "LTBConfig", "LTBProviders", "LTBFakeServer", "LTBDatasets", "LTBStorage", "LTBEngine",
        "LTBEvaluation", "LTBAPI", "LTBServer", "LTBObservability", "LTBAuth", "LTBDistributed", "LTBAlerts",
        "LTBPlugins", "LTBIntegrations", "LTBMedia",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .executableTarget(
      name: "ltb-benchmarks",
      dependencies: [
        "LTBCore", "LTBStorage", "LTBEngine", "LTBEvaluation", "LTBAPI", "LTBServer", "LTBConfig",
        "LTBProviders", "LTBAuth", "LTBDistributed", "LTBProtocol", "LTBAlerts", "LTBPlugins",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .testTarget(name: "LTBCoreTests", dependencies: ["LTBCore"], swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBConfigTests", dependencies: ["LTBConfig", "LTBCore"], swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBProvidersTests",
      dependencies: [
        "LTBProviders", "LTBCore", "LTBFakeServer",
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .testTarget(
      name: "LTBDatasetsTests", dependencies: ["LTBDatasets", "LTBCore"], swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBEngineTests",
      dependencies: [
        "LTBEngine", "LTBCore", "LTBStorage", "LTBFakeServer",
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .testTarget(
      name: "LTBMediaTests", dependencies: ["LTBMedia", "LTBCore"], swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBEvaluationTests",
      dependencies: [
        "LTBEvaluation", "LTBCore", "LTBStorage",
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
      ],
      resources: [.copy("Reference")], swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBAPITests",
      dependencies: [
        "LTBAPI", "LTBCore", "LTBStorage", "LTBEngine", "LTBEvaluation", "LTBProviders", "LTBConfig",
        "LTBFakeServer", "LTBAuth",
        .product(name: "GraphQL", package: "GraphQL"),
      ], swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBServerTests",
      dependencies: [
        "LTBServer", "LTBAPI", "LTBCore", "LTBStorage", "LTBEngine", "LTBEvaluation", "LTBProviders",
        "LTBObservability", "LTBFakeServer", "LTBAuth", "LTBCodegen",
        "LTBConfig", "LTBAlerts",
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "GraphQL", package: "GraphQL"),
      ], swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBPluginsTests",
      dependencies: [
        "LTBPlugins", "LTBCore", "LTBStorage", "LTBEvaluation",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBCodegenTests", dependencies: ["LTBCodegen", "LTBAPI", "LTBCore"],
      resources: [.copy("Fixtures")],
      swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBAuthTests", dependencies: ["LTBAuth", "LTBCore", "LTBStorage"],
      swiftSettings: upcomingFeatures),
    .testTarget(
      name: "LTBStorageTests",
      dependencies: [
        "LTBStorage", "LTBCore", .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "SQLKit", package: "sql-kit"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .testTarget(
      name: "LTBDistributedTests",
      dependencies: [
        "LTBDistributed", "LTBProtocol", "LTBCore", "LTBStorage", "LTBAuth",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .testTarget(
      name: "LTBAlertsTests",
      dependencies: [
        "LTBAlerts", "LTBCore", "LTBStorage", "LTBEngine", "LTBFakeServer",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: upcomingFeatures
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "LTBProviders", "LTBCore", "LTBConfig", "LTBEvaluation", "LTBStorage", "LTBFakeServer",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: upcomingFeatures
    ),
  ]
)

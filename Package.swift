// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Zibri",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ZibriJSON", targets: ["ZibriJSON"]),
        .library(name: "ZibriSchema", targets: ["ZibriSchema"]),
        .library(name: "ZibriValidation", targets: ["ZibriValidation"]),
        .library(name: "ZibriStorage", targets: ["ZibriStorage"]),
        .library(name: "ZibriSQLite", targets: ["ZibriSQLite"]),
        .library(name: "ZibriPostgres", targets: ["ZibriPostgres"]),
        // The server: the runtime with the SQLite and PostgreSQL stores. `ZibriRuntime` alone is
        // the runtime with the memory store, for servers that bring their own.
        .library(name: "Zibri", targets: ["Zibri"]),
        .library(name: "ZibriRuntime", targets: ["ZibriRuntime"]),
        .library(name: "ZibriClient", targets: ["ZibriClient"]),
        .library(name: "ZibriTesting", targets: ["ZibriTesting"]),
        .executable(name: "zibri", targets: ["zibri"]),
        .plugin(name: "ZibriGenerator", targets: ["ZibriGenerator"]),
    ],
    dependencies: [
        // 5.x keeps duplicate mapping keys in the node tree; 6.x throws on the first one,
        // which would make "every problem in one pass" impossible for duplicate keys.
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // Already in the graph through jwt-kit; used directly for session token digests.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Settings from the environment (and whatever else a server layers over it); no traits:
        // the JSON, YAML and reloading providers are the application's to add.
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: []),
    ],
    targets: [
        // JSON values, the strict parser, the encoder and decoder, RFC 3339 dates: what the spec,
        // the validators, the runtime and the drivers all read and write.
        .target(
            name: "ZibriJSON",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZibriSchema",
            dependencies: ["ZibriJSON", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZibriValidation",
            dependencies: ["ZibriSchema"],
            swiftSettings: swiftSettings
        ),
        // The OpenAPI and AsyncAPI documents of a spec: for `zibri export`, and for the OpenAPI
        // document a server serves.
        .target(
            name: "ZibriExport",
            dependencies: ["ZibriSchema"],
            swiftSettings: swiftSettings
        ),
        // Swift types from a spec: for `zibri generate swift` and the plugin, never linked into
        // a server (the runtime checks the fingerprint with ZibriSchema's `SpecFingerprint`).
        .target(
            name: "ZibriCodegen",
            dependencies: ["ZibriSchema", "ZibriValidation"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZibriStorage",
            dependencies: ["ZibriSchema", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZibriSQLite",
            dependencies: [
                "ZibriJSON", "ZibriSchema", "ZibriStorage", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZibriPostgres",
            dependencies: [
                "ZibriJSON", "ZibriSchema", "ZibriStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The runtime knows stores only through ZibriStorage's protocols and registry.
        .target(
            name: "ZibriRuntime",
            dependencies: [
                "ZibriSchema",
                "ZibriValidation",
                "ZibriStorage",
                "ZibriExport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: swiftSettings
        ),
        // What `import Zibri` gives: the runtime, with the stores that come with Zibri registered.
        .target(
            name: "Zibri",
            dependencies: [
                "ZibriRuntime", "ZibriStorage", "ZibriSQLite", "ZibriPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZibriClient",
            dependencies: [
                "ZibriSchema",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ZibriTesting",
            dependencies: ["ZibriSchema", "ZibriStorage"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "zibri",
            dependencies: [
                "ZibriSchema",
                "ZibriValidation",
                "ZibriExport",
                "ZibriCodegen",
                // For `zibri serve --mock`: the real runtime with stand-in handlers.
                "Zibri",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the ZibriGenerator plugin runs: `zibri generate swift` without the runtime.
        .executableTarget(
            name: "zibri-generator",
            dependencies: ["ZibriSchema", "ZibriCodegen"],
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "ZibriGenerator",
            capability: .buildTool(),
            dependencies: ["zibri-generator"]
        ),
        // `swift run chat`: the chat example, its spec and page next to its source.
        .executableTarget(
            name: "chat",
            dependencies: ["Zibri", "ZibriSchema"],
            path: "examples/Chat",
            exclude: ["public"],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "ZibriGenerator")]
        ),
        // `swift run todo-api`: the HTTP-only example, a CRUD API on SQLite with GRDB.
        .executableTarget(
            name: "todo-api",
            dependencies: [
                "Zibri", "ZibriSchema", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "examples/TodoAPI",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "ZibriGenerator")]
        ),
        // Started as a child process by the restart test (killed with SIGKILL, started again).
        .executableTarget(
            name: "RecoveryServer",
            dependencies: ["Zibri", "ZibriSchema"],
            path: "Tests/Fixtures/RecoveryServer",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriJSONTests",
            dependencies: ["ZibriJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriSchemaTests",
            dependencies: ["ZibriSchema", "ZibriTesting"],
            exclude: ["Snippets", "Corpus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriValidationTests",
            dependencies: ["ZibriSchema", "ZibriValidation", "ZibriTesting"],
            exclude: ["Snippets"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriCodegenTests",
            dependencies: ["ZibriCodegen", "ZibriSchema", "ZibriTesting"],
            exclude: ["Generated"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriStorageTests",
            dependencies: [
                "ZibriStorage", "ZibriSchema", "ZibriTesting", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriSQLiteTests",
            dependencies: [
                "ZibriSQLite", "ZibriStorage", "ZibriSchema", "ZibriTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriPostgresTests",
            dependencies: [
                "ZibriPostgres", "ZibriStorage", "ZibriSchema", "ZibriTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriRuntimeTests",
            dependencies: [
                "ZibriRuntime", "Zibri", "ZibriStorage", "ZibriSchema", "ZibriValidation", "ZibriTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ZibriClientTests",
            dependencies: [
                "ZibriClient", "Zibri", "ZibriSchema",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExamplesTests",
            dependencies: ["ZibriSchema", "ZibriTesting", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "zibriTests",
            dependencies: ["zibri", "ZibriTesting"],
            swiftSettings: swiftSettings
        ),
    ]
)

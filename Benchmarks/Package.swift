// swift-tools-version: 6.1
// Benchmarks live in their own package so the library's users and its test builds never
// compile the benchmark harness. Run: swift run -c release --package-path Benchmarks LintBenchmark
import PackageDescription

let package = Package(
    name: "ZibriBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Zibri", path: ".."),
        .package(url: "https://github.com/google/swift-benchmark.git", from: "0.1.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        .executableTarget(
            name: "LintBenchmark",
            dependencies: [
                .product(name: "ZibriSchema", package: "Zibri"),
                .product(name: "ZibriValidation", package: "Zibri"),
                .product(name: "Benchmark", package: "swift-benchmark"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "ValidationBenchmark",
            dependencies: [
                .product(name: "ZibriSchema", package: "Zibri"),
                .product(name: "ZibriValidation", package: "Zibri"),
                .product(name: "Benchmark", package: "swift-benchmark"),
            ]
        ),
        .executableTarget(
            name: "HTTPBenchmarkServer",
            dependencies: [
                .product(name: "Zibri", package: "Zibri"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "WebSocketBenchmarkServer",
            dependencies: [
                .product(name: "Zibri", package: "Zibri"),
                .product(name: "ZibriSchema", package: "Zibri"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ]
        ),
        .executableTarget(
            name: "WebSocketLoad",
            dependencies: [.product(name: "HummingbirdWSClient", package: "hummingbird-websocket")]
        ),
    ]
)

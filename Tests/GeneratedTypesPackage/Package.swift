// swift-tools-version: 6.1
// A package that uses Zibri as its users do: the ZibriGenerator plugin turns the target's
// shop.zibri.yaml into Swift types at build time, the handlers use them, and the tests serve
// them. Built with warnings as errors in the Swift 6 language mode, so generated code that warns
// fails here. `.ci/run` runs `swift test --package-path Tests/GeneratedTypesPackage`.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name, whatever the clone is called.
let zibriRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
    .standardized
let zibri = zibriRoot.lastPathComponent.lowercased()

let package = Package(
    name: "GeneratedTypesPackage",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: zibriRoot.path),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "Shop",
            dependencies: [
                .product(name: "Zibri", package: zibri),
                .product(name: "ZibriSchema", package: zibri),
            ],
            swiftSettings: [.unsafeFlags(["-warnings-as-errors"])],
            plugins: [.plugin(name: "ZibriGenerator", package: zibri)]
        ),
        .target(
            name: "GeneratedSnippets",
            dependencies: [
                .product(name: "Zibri", package: zibri),
                .product(name: "ZibriSchema", package: zibri),
            ],
            swiftSettings: [.unsafeFlags(["-warnings-as-errors"])],
            plugins: [.plugin(name: "ZibriGenerator", package: zibri)]
        ),
        .testTarget(
            name: "ShopTests",
            dependencies: [
                "Shop", "GeneratedSnippets",
                .product(name: "Zibri", package: zibri),
                .product(name: "ZibriSchema", package: zibri),
                .product(name: "ZibriClient", package: zibri),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)

// swift-tools-version: 6.1
// Fuzz targets live in their own package: they are built with `-sanitize=fuzzer,address`,
// which the library's own builds must not get. Run: scripts/fuzz-spec.sh [seconds]
import PackageDescription

let package = Package(
    name: "ZibriFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Zibri", path: "..")],
    targets: [
        .executableTarget(
            name: "SpecFuzzer",
            dependencies: [
                .product(name: "ZibriSchema", package: "Zibri"),
                .product(name: "ZibriValidation", package: "Zibri"),
            ]
        )
    ]
)

// swift-tools-version:6.0
import PackageDescription

// Layers (dependencies point down only), see ARCHITECTURE.md:
//   wharf (executable) -> WharfTerminal -> WharfDashboard
//                      -> WharfEngine -> WharfStorage -> WharfCore -> CWharfCRC
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Wharf",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wharf", targets: ["wharf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C at the edge: CRC32C with the SSE4.2 instruction and a table fallback.
        .target(name: "CWharfCRC"),
        .target(name: "WharfCore", dependencies: ["CWharfCRC"], swiftSettings: strict),
        .target(
            name: "WharfStorage",
            dependencies: ["WharfCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "WharfEngine",
            dependencies: ["WharfCore", "WharfStorage", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(
            name: "WharfEvents",
            dependencies: ["WharfCore", "WharfStorage", "WharfEngine", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(name: "WharfDashboard", dependencies: ["WharfCore"], swiftSettings: strict),
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .target(name: "WharfTerminal", dependencies: ["CNCursesW", "WharfDashboard"], swiftSettings: strict),
        // Manual/tmux testing of the terminal layer over a synthetic source (no engine).
        .executableTarget(
            name: "wharf-dashboard-preview", dependencies: ["WharfDashboard", "WharfTerminal"], swiftSettings: strict),
        .executableTarget(
            name: "wharf",
            dependencies: [
                "WharfCore", "WharfStorage", "WharfEngine", "WharfDashboard", "WharfTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(name: "WharfCoreTests", dependencies: ["WharfCore"], swiftSettings: strict),
        .testTarget(name: "WharfStorageTests", dependencies: ["WharfStorage"], swiftSettings: strict),
        .testTarget(name: "WharfEngineTests", dependencies: ["WharfEngine"], swiftSettings: strict),
        .testTarget(name: "WharfEventsTests", dependencies: ["WharfEvents"], swiftSettings: strict),
        .testTarget(name: "WharfDashboardTests", dependencies: ["WharfDashboard"], exclude: ["__Snapshots__"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["WharfCore"], swiftSettings: strict),
    ]
)

// swift-tools-version:6.0
import PackageDescription

// Dependencies point downward only (see DESIGN.md §2):
// Gauntlet → Handlers, Paper → Jobs, FCGIHost → Postgres, MarketData, Backtest → Market.
let package = Package(
    name: "Gauntlet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gauntlet", targets: ["Gauntlet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", path: "Sources/CFastCGI"),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .target(name: "Market", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Backtest", dependencies: ["Market"]),
        .target(name: "MarketData", dependencies: ["Market", "CZstd"]),
        .target(name: "FCGIHost", dependencies: [
            "CFastCGI", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Paper", dependencies: [
            "Backtest", "Jobs", "Market", "MarketData", "Postgres", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Jobs", dependencies: [
            "Postgres", "Market", "MarketData", "Backtest", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Handlers", dependencies: [
            "FCGIHost", "Postgres", "Market", "MarketData", "Backtest",
            .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "Gauntlet", dependencies: [
            "FCGIHost", "Handlers", "Jobs", "Paper", "Postgres", "Market", "MarketData", "Backtest",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "MarketTests", dependencies: ["Market"]),
        .testTarget(name: "BacktestTests", dependencies: ["Backtest", "Market"]),
        .testTarget(name: "MarketDataTests", dependencies: ["MarketData", "Market", "TestSupport"]),
        .testTarget(name: "FCGIHostTests", dependencies: ["FCGIHost", "TestSupport"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs", "Postgres", "Backtest", "Market", "MarketData", "TestSupport"]),
        .testTarget(name: "HandlersTests", dependencies: ["Handlers", "FCGIHost"]),
        .testTarget(name: "PaperTests", dependencies: [
            "Paper", "Backtest", "Market", "MarketData", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["Postgres", "TestSupport", "Handlers"]),
    ],
    swiftLanguageModes: [.v6]
)

// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "OpsBrain",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "opsbrain", targets: ["opsbrain"]),
        .executable(name: "opsbrain-bench", targets: ["OpsBrainBench"]),
        .executable(name: "opsbrain-sandbox", targets: ["opsbrain-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // System C libraries, each behind a module map and a shim header.
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),

        // Pure domain: no I/O.
        .target(name: "OpsBrainCore"),
        // Platform helpers shared by adapters: processes (argv, timeout, output cap), file locks, users.
        .target(name: "OpsBrainPlatform", dependencies: [
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Pure parsers for SOP files, the config file and themes.
        .target(name: "OpsBrainDocuments", dependencies: [
            "OpsBrainCore",
            .product(name: "Yams", package: "Yams"),
        ]),
        // The store over libpq: connections, migrations, the embedded cluster.
        .target(name: "OpsBrainPostgres", dependencies: [
            "OpsBrainCore", "OpsBrainPlatform", "CLibPQ",
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Migrations")]),
        // Step runners and fix-operation drivers against real things: HTTP (libcurl), TCP, Redis,
        // files, commands, services. (SQL ones live with the Postgres adapter.)
        .target(name: "OpsBrainRunners", dependencies: [
            "OpsBrainCore", "OpsBrainPlatform", "CCurl",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The orchestrator: drives the ExecutionMachine through the store and the runners.
        .target(name: "OpsBrainEngine", dependencies: [
            "OpsBrainCore", "OpsBrainDocuments", "OpsBrainPostgres", "OpsBrainPlatform",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Intake: the HTTP server for webhooks, health, metrics and the ops API.
        .target(name: "OpsBrainIntake", dependencies: [
            "OpsBrainCore", "OpsBrainPostgres", "OpsBrainPlatform",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The ops console: a pure screen model rendered to a cell grid, painted by ncurses.
        .target(name: "OpsBrainConsole", dependencies: [
            "OpsBrainCore", "OpsBrainDocuments", "OpsBrainPostgres", "OpsBrainEngine", "OpsBrainPlatform", "CNcurses",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The application: wires documents, the store and (later) the engine; tests start it in-process.
        .target(name: "OpsBrainApp", dependencies: [
            "OpsBrainCore", "OpsBrainDocuments", "OpsBrainPostgres", "OpsBrainPlatform", "OpsBrainEngine", "OpsBrainRunners",
            "OpsBrainConsole", "OpsBrainIntake",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The executable: command-line parsing only.
        .executableTarget(name: "opsbrain", dependencies: [
            "OpsBrainCore", "OpsBrainDocuments", "OpsBrainPostgres", "OpsBrainPlatform", "OpsBrainApp", "OpsBrainIntake", "OpsBrainConsole",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The demo sandbox: a real app with Redis, Prometheus and PostgreSQL, and the faults that break it.
        .target(name: "OpsBrainSandbox", dependencies: ["OpsBrainCore", "OpsBrainPostgres", "OpsBrainPlatform", "OpsBrainRunners", "OpsBrainIntake"]),
        .executableTarget(name: "opsbrain-sandbox", dependencies: [
            "OpsBrainSandbox", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks: speed and memory figures as ratios against baselines measured in the same run.
        .executableTarget(name: "OpsBrainBench", dependencies: ["OpsBrainApp", "OpsBrainSandbox", "OpsBrainTestSupport"],
                          path: "Benchmarks/OpsBrainBench"),
        // Test helpers: a real PostgreSQL (throwaway cluster or OPSBRAIN_TEST_DATABASE_URL), temp dirs.
        .target(name: "OpsBrainTestSupport", dependencies: ["OpsBrainPostgres", "OpsBrainPlatform", "OpsBrainRunners", "OpsBrainIntake"],
                path: "Tests/Support"),
        .testTarget(name: "OpsBrainCoreTests", dependencies: ["OpsBrainCore", "OpsBrainTestSupport"]),
        .testTarget(name: "OpsBrainDocumentsTests", dependencies: ["OpsBrainDocuments", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "OpsBrainPostgresTests", dependencies: ["OpsBrainPostgres", "OpsBrainPlatform", "OpsBrainTestSupport"]),
        .testTarget(name: "OpsBrainPlatformTests", dependencies: ["OpsBrainPlatform", "OpsBrainTestSupport"]),
        .testTarget(name: "OpsBrainRunnersTests", dependencies: ["OpsBrainRunners", "OpsBrainTestSupport"]),
        .testTarget(name: "OpsBrainAppTests", dependencies: ["OpsBrainApp", "OpsBrainTestSupport"]),
        .testTarget(name: "OpsBrainConsoleTests", dependencies: ["OpsBrainConsole", "OpsBrainApp", "OpsBrainTestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "OpsBrainIntakeTests", dependencies: ["OpsBrainIntake", "OpsBrainApp", "OpsBrainTestSupport"],
                    exclude: ["Corpus"]),
        .testTarget(name: "OpsBrainSandboxTests", dependencies: ["OpsBrainSandbox", "OpsBrainApp", "OpsBrainTestSupport"]),
        .testTarget(name: "OpsBrainEngineTests", dependencies: ["OpsBrainEngine", "OpsBrainApp", "OpsBrainTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

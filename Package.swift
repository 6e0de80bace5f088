// swift-tools-version:6.1
import PackageDescription

/// Warnings are errors in CI (`-warnings-as-errors` is passed by `.ci/test`), not here:
/// unsafe flags would make this package unusable as a dependency.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "faceid-enricher",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "faceid-enricher", targets: ["faceid-enricher"]),
        .library(name: "KafkaClient", targets: ["KafkaClient"]),
        .library(name: "TencentCloud", targets: ["TencentCloud"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // MARK: C at the edge: one system library per C dependency.
        .systemLibrary(
            name: "CRDKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // posix_spawn's close-from action, for the test rig's child processes (libc; nothing to link).
        .systemLibrary(name: "CSpawn"),

        // MARK: Libraries, one job each.
        .target(
            name: "EnricherJSON",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KafkaClient",
            dependencies: [
                "CRDKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CurlHTTP",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TencentCloud",
            dependencies: [
                "COpenSSL",
                "EnricherJSON",
                "CurlHTTP",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Pipeline",
            dependencies: [
                "EnricherJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MediaArchive",
            dependencies: [
                "CurlHTTP",
                "EnricherJSON",
                "Pipeline",
                "TencentCloud",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Simulator",
            dependencies: [
                "TencentCloud",
                "EnricherJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Enricher",
            dependencies: [
                "KafkaClient",
                "TencentCloud",
                "Pipeline",
                "MediaArchive",
                "Simulator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "faceid-enricher",
            dependencies: [
                "Enricher",
                "EnricherJSON",
                "MediaArchive",
                "TencentCloud",
                "Simulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Test support, linked only by tests.
        .target(
            name: "TestSupport",
            dependencies: [
                "CSpawn",
                "KafkaClient",
                .product(name: "Logging", package: "swift-log"),
                "Pipeline",
                "Simulator",
                "TencentCloud",
                // The end-to-end harness runs EnrichmentService instances in-process.
                "Enricher",
                "EnricherJSON",
                // Moto's readiness probe; the media tests' stores.
                "CurlHTTP",
                "MediaArchive",
                .product(name: "Metrics", package: "swift-metrics"),
                // Instances of the end-to-end harness can serve /metrics, /healthz and /readyz as the executable does.
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["S3/s3_rig.py"],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests, one target per module plus end-to-end.
        .testTarget(
            name: "KafkaClientTests",
            dependencies: ["KafkaClient", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CurlHTTPTests",
            dependencies: ["CurlHTTP", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TencentCloudTests",
            dependencies: ["TencentCloud", "Simulator", "TestSupport"],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EnricherJSONTests",
            dependencies: ["EnricherJSON"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline",
                "TestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MediaArchiveTests",
            dependencies: [
                "MediaArchive",
                "Pipeline",
                "TencentCloud",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SimulatorTests",
            dependencies: ["CurlHTTP", "Simulator", "TencentCloud", "TestSupport"],
            exclude: ["python"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "CurlHTTP",
                "Enricher",
                "EnricherJSON",
                "KafkaClient",
                "MediaArchive",
                "Pipeline",
                "Simulator",
                "TencentCloud",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

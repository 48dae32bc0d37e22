// swift-tools-version:6.0
import PackageDescription

/// Swift 6 language mode everywhere. Swift 6.3.1's release optimizer crashes in its CopyPropagation
/// pass (ownership verification) on code in several of our targets; that one pass is off in release.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-Xllvm", "-sil-disable-pass=copy-propagation"], .when(configuration: .release)),
]

let package = Package(
    name: "kmipd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kmipd", targets: ["kmipd"]),
        .executable(name: "kmip", targets: ["kmip"]),
        // For tests only: a PKCS#11 module in front of SoftHSM2 that injects faults.
        .library(name: "PKCS11FaultShim", type: .dynamic, targets: ["PKCS11FaultShim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // C headers: p11-kit's pkcs11.h and the system OpenSSL 3.
        .systemLibrary(name: "CPKCS11", pkgConfig: "p11-kit-1",
                       providers: [.apt(["libp11-kit-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        // One readable line for an error a person sees (kmipd and kmip).
        .target(name: "OperatorErrors", dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: strict),
        // Pure protocol model: TTLV codec, tags, enumerations, messages.
        .target(name: "KMIP", swiftSettings: strict),
        // Batch execution, one handler per operation, lifecycle, access policy; owns Token/ObjectStore.
        .target(name: "KMIPEngine", dependencies: ["KMIP",
                    .product(name: "SwiftASN1", package: "swift-asn1"),
                    .product(name: "X509", package: "swift-certificates"),
                    .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "_CryptoExtras", package: "swift-crypto"),
                    .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics")], swiftSettings: strict),
        // File adapters of the engine's ports: the password file (scrypt) and the JSON-lines audit log.
        .target(name: "KMIPFiles", dependencies: ["KMIP", "KMIPEngine", .product(name: "CoreMetrics", package: "swift-metrics"),
                    .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "_CryptoExtras", package: "swift-crypto")], swiftSettings: strict),
        // A safe PKCS#11 wrapper (module, sessions, typed attributes, CK_RV-carrying errors).
        .target(name: "PKCS11", dependencies: ["CPKCS11", .product(name: "CoreMetrics", package: "swift-metrics")], swiftSettings: strict),
        // Implements the engine's Token on PKCS11, driven by an HSM profile.
        .target(name: "HSMBackend", dependencies: ["KMIPEngine", "PKCS11", .product(name: "CoreMetrics", package: "swift-metrics"),
                    .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        // What both stores share: the attribute row layout and Locate compiled per SQL dialect.
        .target(name: "StoreSQL", dependencies: ["KMIP", "KMIPEngine"], swiftSettings: strict),
        // Implements the engine's ObjectStore on SQLite (GRDB).
        .target(name: "Store", dependencies: ["KMIPEngine", "StoreSQL",
                    .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        // Implements the engine's ObjectStore on PostgreSQL (postgres-nio), for a cluster of nodes.
        .target(name: "PostgresStore", dependencies: ["KMIP", "KMIPEngine", "StoreSQL",
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        // TLS through the system OpenSSL 3 as a NIO channel handler.
        // An OpenSSL key whose private operations are done by the token (the TLS server key).
        .target(name: "CTLSTokenKey", dependencies: ["COpenSSL"]),
        .target(name: "KMIPTLS", dependencies: ["COpenSSL", "CTLSTokenKey",
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOConcurrencyHelpers", package: "swift-nio")], swiftSettings: strict),
        // The KMIP frame decoder as a NIO decoder, shared by the server and the client.
        .target(name: "KMIPNIO", dependencies: ["KMIP",
                    .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
        .target(name: "KMIPServer", dependencies: ["KMIP", "KMIPNIO", "KMIPEngine", "KMIPTLS", .product(name: "CoreMetrics", package: "swift-metrics"),
                    .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .target(name: "KMIPClient", dependencies: ["KMIP", "KMIPNIO", "KMIPTLS",
                    .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio")], swiftSettings: strict),
        // The development PKI: a CA whose key is in the token, signing through C_Sign.
        .target(name: "DevPKI", dependencies: ["KMIP", "KMIPEngine",
                    .product(name: "X509", package: "swift-certificates"),
                    .product(name: "SwiftASN1", package: "swift-asn1"),
                    .product(name: "Crypto", package: "swift-crypto"),
                    .product(name: "_CryptoExtras", package: "swift-crypto")], swiftSettings: strict),
        .executableTarget(name: "kmipd", dependencies: ["KMIP", "OperatorErrors", "KMIPEngine", "KMIPFiles", "HSMBackend", "Store", "PostgresStore",
                    "KMIPServer", "KMIPTLS", "PKCS11", "DevPKI",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                    .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics"),
                    .product(name: "Prometheus", package: "swift-prometheus")], swiftSettings: strict),
        .executableTarget(name: "kmip", dependencies: ["KMIP", "KMIPClient", "OperatorErrors", "KMIPTLS",
                    .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "X509", package: "swift-certificates"),
                    .product(name: "ArgumentParser", package: "swift-argument-parser")],
                    swiftSettings: strict),

        // Real SoftHSM2 tokens and SQLite files in temporary folders, shared by the test targets.
        .target(name: "KMIPTestSupport", dependencies: ["KMIP", "HSMBackend", "Store", "PostgresStore", "KMIPEngine", "DevPKI", "KMIPServer",
                    "KMIPClient", "KMIPTLS", .product(name: "PostgresNIO", package: "postgres-nio")], path: "Tests/Support",
                swiftSettings: strict),

        .target(name: "PKCS11FaultShim", dependencies: ["CPKCS11"], path: "Tests/FaultShim"),
        // libFuzzer over whole messages into the batch executor (scripts/fuzz); replays files otherwise.
        .target(name: "CFuzzDriver", path: "Tests/Fuzz/Driver"),
        .executableTarget(name: "kmipd-fuzz", dependencies: ["CFuzzDriver", "KMIP", "KMIPEngine", "KMIPTestSupport",
                    .product(name: "Logging", package: "swift-log")], path: "Tests/Fuzz/Executor", swiftSettings: strict),

        // The structure-aware mutation run over the OASIS requests (scripts/mutate).
        .executableTarget(name: "kmipd-mutate", dependencies: ["KMIP", "KMIPEngine", "KMIPTestSupport",
                    .product(name: "Logging", package: "swift-log")], path: "Tests/Fuzz/Mutation", swiftSettings: strict),

        .testTarget(name: "KMIPTests", dependencies: ["KMIP"], swiftSettings: strict),
        .testTarget(name: "KMIPNIOTests", dependencies: ["KMIPNIO", "KMIP",
                    .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                    .product(name: "NIOTestUtils", package: "swift-nio")], swiftSettings: strict),
        .testTarget(name: "KMIPEngineTests", dependencies: ["KMIPEngine", "KMIPFiles", "KMIPTestSupport", "Store",
                    .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")],
                    swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store", "PostgresStore", "StoreSQL", "KMIPEngine", "KMIPTestSupport",
                    .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        .testTarget(name: "HSMBackendTests", dependencies: ["HSMBackend", "PKCS11", "KMIP", "KMIPEngine", "KMIPTestSupport", "Store",
                    "KMIPClient", .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: strict),
        .testTarget(name: "KmipdTests", dependencies: ["kmipd", "OperatorErrors"], swiftSettings: strict),
        .testTarget(name: "KMIPServerTests", dependencies: ["KMIPServer", "KMIPClient", "KMIPTLS", "KMIPTestSupport",
                    .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
                    swiftSettings: strict),
    ]
)

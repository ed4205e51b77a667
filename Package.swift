// swift-tools-version:6.1
// UsageFlow: a multi-tenant backend for the pay-as-you-go usage flow, speaking gRPC over HTTP/2 and TLS.
// No Swift package dependencies: the only outside code is the system C libraries wrapped below.
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "UsageFlow",
    products: [
        .library(name: "ProtoWire", targets: ["ProtoWire"]),
        .library(name: "Contracts", targets: ["Contracts"]),
        .library(name: "ConformanceMessages", targets: ["ConformanceMessages"]),
        .executable(name: "ProtoGen", targets: ["ProtoGen"]),
        .executable(name: "protobuf-conformance-testee", targets: ["ConformanceTestee"]),
    ],
    targets: [
        // C: system libraries, each a module map and a prefixed shim header.
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Engines.
        .target(name: "ProtoWire", swiftSettings: strictSettings),

        // Contracts: generated messages.
        .target(name: "WellKnownTypes", dependencies: ["ProtoWire"], swiftSettings: strictSettings),
        .target(name: "Contracts", dependencies: ["ProtoWire", "WellKnownTypes"], swiftSettings: strictSettings),

        // Tools.
        .target(name: "ProtoCompiler", dependencies: ["ProtoWire"], swiftSettings: strictSettings),
        .executableTarget(name: "ProtoGen", dependencies: ["ProtoCompiler"], swiftSettings: strictSettings),
        .target(name: "ConformanceMessages", dependencies: ["ProtoWire", "WellKnownTypes"], swiftSettings: strictSettings),
        .executableTarget(
            name: "ConformanceTestee",
            dependencies: ["ProtoWire", "ConformanceMessages"],
            swiftSettings: strictSettings
        ),

        // Tests.
        .testTarget(
            name: "SystemLibraryTests",
            dependencies: ["CNGHTTP2", "COpenSSL", "CSQLite", "CZlib"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ProtoWireTests",
            dependencies: ["ProtoWire", "ConformanceMessages", "WellKnownTypes"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ProtoDescriptorTests", swiftSettings: strictSettings),
        .testTarget(
            name: "ProtoCompilerTests",
            dependencies: ["ProtoCompiler", "ProtoWire", "ConformanceMessages", "Contracts", "WellKnownTypes"],
            swiftSettings: strictSettings
        ),
    ]
)

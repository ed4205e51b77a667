// swift-tools-version:6.1
// UsageFlow: a multi-tenant backend for the pay-as-you-go usage flow, speaking gRPC over HTTP/2 and TLS.
// No Swift package dependencies: the only outside code is the system C libraries wrapped below.
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// What every role service module may import: the layers below it, never SQLite.
let serviceDependencies: [Target.Dependency] = [
    "Domain", "Authorization", "ServiceSupport", "RPCCore", "Contracts", "ProtoWire", "WellKnownTypes",
    "UsageIngest",
]

let package = Package(
    name: "UsageFlow",
    products: [
        .library(name: "ProtoWire", targets: ["ProtoWire"]),
        .library(name: "Contracts", targets: ["Contracts"]),
        .library(name: "ConformanceMessages", targets: ["ConformanceMessages"]),
        .executable(name: "ProtoGen", targets: ["ProtoGen"]),
        .executable(name: "interop-server", targets: ["InteropServer"]),
        .executable(name: "protobuf-conformance-testee", targets: ["ConformanceTestee"]),
        .executable(name: "usageflow", targets: ["UsageFlowCLI"]),
    ],
    targets: [
        // C: system libraries, each a module map and a prefixed shim header.
        .systemLibrary(name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLinux"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Engines.
        .target(name: "ProtoWire", swiftSettings: strictSettings),
        .target(name: "TLS", dependencies: ["COpenSSL"], swiftSettings: strictSettings),
        .target(name: "HTTP2", dependencies: ["CNGHTTP2"], swiftSettings: strictSettings),
        .target(name: "SQLite", dependencies: ["CSQLite"], swiftSettings: strictSettings),
        .target(name: "Crypto", dependencies: ["COpenSSL"], swiftSettings: strictSettings),

        // RPC core: no I/O.
        .target(name: "RPCCore", dependencies: ["ProtoWire"], swiftSettings: strictSettings),
        .target(name: "RPCHTTP2Transport", dependencies: ["RPCCore", "HTTP2", "TLS", "CLinux"], swiftSettings: strictSettings),
        .target(name: "RPCInProcessTransport", dependencies: ["RPCCore"], swiftSettings: strictSettings),

        // Contracts: generated messages.
        .target(name: "WellKnownTypes", dependencies: ["ProtoWire"], swiftSettings: strictSettings),
        .target(name: "Contracts", dependencies: ["ProtoWire", "WellKnownTypes", "RPCCore"], swiftSettings: strictSettings),

        // Standard services: grpc.health.v1 and grpc.reflection.v1/v1alpha.
        .target(
            name: "StandardServices",
            dependencies: ["RPCCore", "Contracts", "ProtoWire", "WellKnownTypes"],
            swiftSettings: strictSettings
        ),

        // The usage domain: pure Swift, imports nothing of ours.
        .target(name: "Domain", swiftSettings: strictSettings),
        // Policy: principals, roles, scopes and per-RPC policies.
        .target(name: "Authorization", dependencies: ["Domain"], swiftSettings: strictSettings),
        // Support: SQLite repositories; the authentication interceptor and the error → status seam.
        .target(name: "Storage", dependencies: ["Domain", "SQLite"], swiftSettings: strictSettings),
        .target(
            name: "ServiceSupport",
            dependencies: ["Domain", "Authorization", "RPCCore", "Contracts", "ProtoWire", "WellKnownTypes", "Crypto"],
            swiftSettings: strictSettings
        ),
        // Spreadsheets: ZIP over zlib, streaming XLSX and RFC 4180 CSV reading and writing.
        .target(name: "Spreadsheet", dependencies: ["CZlib"], swiftSettings: strictSettings),
        // Usage files in and out: spooled uploads, XLSX/CSV rows as usage rows, processed files, templates.
        .target(name: "UsageIngest", dependencies: ["Domain", "Spreadsheet"], swiftSettings: strictSettings),
        // Role services: one module per role, over the domain and the authorization layer.
        .target(name: "AdminAPI", dependencies: serviceDependencies, swiftSettings: strictSettings),
        .target(name: "VendorAPI", dependencies: serviceDependencies, swiftSettings: strictSettings),
        .target(name: "DistributorAPI", dependencies: serviceDependencies, swiftSettings: strictSettings),
        .target(name: "ResellerAPI", dependencies: serviceDependencies, swiftSettings: strictSettings),
        // The server: wiring, configuration, demo data; and the `usageflow` executable (serve + CLI).
        .target(
            name: "UsageFlowServer",
            dependencies: [
                "AdminAPI", "VendorAPI", "DistributorAPI", "ResellerAPI", "ServiceSupport", "Storage", "SQLite",
                "Domain", "Authorization", "RPCCore", "RPCHTTP2Transport", "StandardServices", "Contracts",
                "TLS", "Crypto", "ProtoWire", "WellKnownTypes",
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "ProtoDynamic", dependencies: ["ProtoWire", "ProtoCompiler"], swiftSettings: strictSettings),
        .executableTarget(
            name: "UsageFlowCLI",
            dependencies: [
                "UsageFlowServer", "ProtoDynamic", "Contracts", "RPCCore", "RPCHTTP2Transport", "TLS", "ProtoWire",
                "Domain", "Storage", "UsageIngest",
            ],
            swiftSettings: strictSettings
        ),

        // Tools.
        .target(name: "ProtoCompiler", dependencies: ["ProtoWire"], swiftSettings: strictSettings),
        .executableTarget(name: "ProtoGen", dependencies: ["ProtoCompiler"], swiftSettings: strictSettings),
        .executableTarget(
            name: "InteropServer",
            dependencies: ["Contracts", "RPCCore", "RPCHTTP2Transport", "TLS", "ProtoWire", "StandardServices"],
            swiftSettings: strictSettings
        ),
        .target(name: "ConformanceMessages", dependencies: ["ProtoWire", "WellKnownTypes"], swiftSettings: strictSettings),
        .executableTarget(
            name: "ConformanceTestee",
            dependencies: ["ProtoWire", "ConformanceMessages"],
            swiftSettings: strictSettings
        ),

        // Benchmarks: ProtoWire against C++ libprotobuf (bench/protobuf/run.sh, BENCHMARKS.md).
        .executableTarget(
            name: "ProtoBench",
            dependencies: ["ProtoWire", "WellKnownTypes"],
            path: "bench/ProtoBench",
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
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "RPCCoreTests", dependencies: ["RPCCore", "ProtoWire"], swiftSettings: strictSettings),
        .testTarget(
            name: "StandardServicesTests",
            dependencies: ["StandardServices", "RPCCore", "Contracts", "ProtoWire", "WellKnownTypes"],
            swiftSettings: strictSettings
        ),
        .target(name: "TestSupport", dependencies: ["TLS"], path: "Tests/TestSupport", swiftSettings: strictSettings),
        .testTarget(name: "TLSTests", dependencies: ["TLS", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "RPCHTTP2TransportTests",
            dependencies: ["RPCHTTP2Transport", "RPCCore", "Contracts", "TLS", "TestSupport", "HTTP2"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HTTP2Tests", dependencies: ["HTTP2"], swiftSettings: strictSettings),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"], swiftSettings: strictSettings),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"], swiftSettings: strictSettings),
        .testTarget(name: "DomainTests", dependencies: ["Domain"], swiftSettings: strictSettings),
        .testTarget(name: "SpreadsheetTests", dependencies: ["Spreadsheet"], swiftSettings: strictSettings),
        .testTarget(name: "UsageIngestTests", dependencies: ["UsageIngest", "Spreadsheet", "Domain"], swiftSettings: strictSettings),
        .testTarget(name: "AuthorizationTests", dependencies: ["Authorization", "Domain"], swiftSettings: strictSettings),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Domain", "SQLite"], swiftSettings: strictSettings),
        .testTarget(
            name: "RPCInProcessTransportTests",
            dependencies: ["RPCInProcessTransport", "RPCCore", "ProtoWire", "Contracts"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ProtoDynamicTests", dependencies: ["ProtoDynamic", "ProtoWire", "ProtoCompiler", "Contracts", "WellKnownTypes"], swiftSettings: strictSettings),
        .testTarget(
            name: "UsageFlowServiceTests",
            dependencies: [
                "UsageFlowServer", "AdminAPI", "VendorAPI", "DistributorAPI", "ResellerAPI", "ServiceSupport",
                "Storage", "Domain", "Authorization", "RPCCore", "RPCInProcessTransport", "Contracts", "ProtoWire",
                "WellKnownTypes", "TestSupport", "RPCHTTP2Transport", "StandardServices", "TLS",
            ],
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

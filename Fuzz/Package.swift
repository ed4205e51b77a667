// swift-tools-version:6.1
// A libFuzzer harness for ProtoWire's decoder, kept out of the root package so that the
// root build never needs the fuzzer runtime. Build and run it with Fuzz/run.sh.
import PackageDescription

let package = Package(
    name: "ProtoWireFuzz",
    dependencies: [
        .package(name: "UsageFlow", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "ProtoWireFuzzer",
            dependencies: [
                .product(name: "ProtoWire", package: "UsageFlow"),
                .product(name: "ConformanceMessages", package: "UsageFlow"),
            ]
        ),
    ]
)

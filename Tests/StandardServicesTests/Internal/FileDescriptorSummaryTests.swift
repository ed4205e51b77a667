// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/StandardServices/Internal/FileDescriptorSummary.swift

import Contracts
import ProtoWire
import Testing
import WellKnownTypes

@testable import StandardServices

/// A proto2 file with everything the scanner indexes, hand-encoded because no generated file
/// declares extensions:
///
/// ```proto
/// package ext;
/// import "dep.proto";
/// message Base { optional int32 id = 1; oneof choice { string a = 2; }
///                message Inner { extend Base { optional int32 inner_ext = 200; } } }
/// enum Color { RED = 0; }
/// service Svc { rpc Do(Base) returns (Base); }
/// extend Base { optional int32 top = 100; }
/// ```
enum ExtensionFixture {
    static let bytes: [UInt8] = {
        typealias P = ProtoBytes
        let innerExtension = P.field(1, "inner_ext") + P.field(2, ".ext.Base") + P.field(3, varint: 200)
        let inner = P.field(1, "Inner") + P.field(6, innerExtension)
        // Children before the name, to show scoping does not depend on field order.
        let base = P.field(2, P.field(1, "id") + P.field(3, varint: 1)) + P.field(3, inner)
            + P.field(8, P.field(1, "choice")) + P.field(1, "Base")
        let color = P.field(1, "Color") + P.field(2, P.field(1, "RED") + P.field(2, varint: 0))
        let service = P.field(1, "Svc") + P.field(2, P.field(1, "Do") + P.field(2, ".ext.Base") + P.field(3, ".ext.Base"))
        let top = P.field(1, "top") + P.field(2, ".ext.Base") + P.field(3, varint: 100)
        return P.field(4, base) + P.field(5, color) + P.field(6, service) + P.field(7, top)
            + P.field(1, "ext.proto") + P.field(2, "ext") + P.field(3, "dep.proto") + P.field(12, "proto2")
    }()

    static let file = FileDescriptorData(name: "ext.proto", dependencies: ["dep.proto"], serializedDescriptor: bytes)
    static let dependency = FileDescriptorData(name: "dep.proto", dependencies: [], serializedDescriptor: P.field(1, "dep.proto"))
    private typealias P = ProtoBytes
}

@Suite("FileDescriptorSummary")
struct FileDescriptorSummaryTests {
    @Test func indexesEveryKindOfNameWithItsScope() throws {
        let summary = try FileDescriptorSummary(decoding: ExtensionFixture.bytes)
        #expect(summary.name == "ext.proto")
        #expect(summary.package == "ext")
        #expect(summary.dependencies == ["dep.proto"])
        #expect(Set(summary.symbols) == [
            "ext.Base", "ext.Base.id", "ext.Base.choice", "ext.Base.Inner", "ext.Base.Inner.inner_ext",
            "ext.Color", "ext.RED", "ext.Svc", "ext.Svc.Do", "ext.top",
        ])
        #expect(summary.messageTypes == ["ext.Base", "ext.Base.Inner"])
        #expect(Set(summary.extensions) == [.init(extendee: "ext.Base", number: 100), .init(extendee: "ext.Base", number: 200)])
    }

    @Test func everyGeneratedDescriptorDecodesAndNamesItsFile() throws {
        for file in ContractsProtoFiles.all + WellKnownTypesProtoFiles.all {
            let summary = try FileDescriptorSummary(decoding: file.serializedDescriptor)
            #expect(summary.name == file.name)
            #expect(summary.dependencies == file.dependencies)
            #expect(!summary.symbols.isEmpty)
        }
    }

    @Test(arguments: [[0x22, 0x05, 0x0A], [0x0A, 0x02, 0xFF, 0xFE], [0x07]] as [[UInt8]])
    func malformedBytesThrow(_ bytes: [UInt8]) {
        #expect(throws: WireError.self) { try FileDescriptorSummary(decoding: bytes) }
    }

    @Test func absurdNestingIsRejectedNotRecursedInto() {
        var message = ProtoBytes.field(1, "M")
        for _ in 0..<100 { message = ProtoBytes.field(1, "M") + ProtoBytes.field(3, message) }
        let file = ProtoBytes.field(1, "deep.proto") + ProtoBytes.field(4, message)
        #expect(throws: WireError.self) { try FileDescriptorSummary(decoding: file) }
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/ProtoCompiler/GenerationPlan.swift and the committed Generated/ folders.

import ConformanceMessages
import Contracts
import Foundation
import ProtoCompiler
import ProtoWire
import Testing
import WellKnownTypes

@Suite("Generation plan and committed output")
struct GenerationPlanTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func planParsesIncludesGroupsAndComments() throws {
        let plan = try GenerationPlan(parsing: """
            # comment
            include extra/protos
            ModuleA Sources/ModuleA/Generated a.proto b.proto  # trailing comment

            ModuleB out c.proto
            """)
        #expect(plan.includeDirectories == ["Protos", "extra/protos"])
        #expect(plan.groups.map(\.module) == ["ModuleA", "ModuleB"])
        #expect(plan.moduleOfFile["b.proto"] == "ModuleA")
        #expect(throws: GenerationError.self) { try GenerationPlan(parsing: "ModuleOnly out") }
    }

    /// The same comparison `swift run ProtoGen --check` makes, so `swift test` alone catches an edited
    /// proto whose Swift was not regenerated.
    @Test func committedGeneratedCodeIsCurrent() throws {
        let plan = try GenerationPlan(parsing: String(contentsOfFile: Self.root + "/Protos/protogen.txt", encoding: .utf8))
        let set = try Protoc.descriptorSet(plan: plan, root: Self.root)
        let output = try plan.generate(from: set, regenerateCommand: "swift run ProtoGen")
        for (directory, files) in output {
            for (name, source) in files {
                let committed = try? String(contentsOfFile: "\(Self.root)/\(directory)/\(name)", encoding: .utf8)
                #expect(committed == source, "\(directory)/\(name) is not what ProtoGen writes; run `swift run ProtoGen`")
            }
        }
    }

    @Test func embeddedDescriptorsDecodeAndCarryNoSourceInfo() throws {
        let all = ContractsProtoFiles.all + WellKnownTypesProtoFiles.all + ConformanceMessagesProtoFiles.all
        let plan = try GenerationPlan(parsing: String(contentsOfFile: Self.root + "/Protos/protogen.txt", encoding: .utf8))
        let planned = plan.groups.filter { ["Contracts", "WellKnownTypes", "ConformanceMessages"].contains($0.module) }
        #expect(Set(all.map(\.name)) == Set(planned.flatMap(\.files)), "every planned file is embedded, and nothing else")
        for file in all {
            var set: [UInt8] = [0x0A]
            set += varint(UInt64(file.serializedDescriptor.count))
            set += file.serializedDescriptor
            let decoded = try FileDescriptorSet(serializedBytes: set)
            #expect(decoded.files.count == 1)
            #expect(decoded.files[0].name == file.name)
            #expect(decoded.files[0].dependencies == file.dependencies)
            #expect(decoded.files[0].locations.isEmpty)
            #expect(decoded.files[0].serializedWithoutSourceInfo == file.serializedDescriptor)
        }
        let health = try #require(ContractsProtoFiles.all.first { $0.name == "grpc/health/v1/health.proto" })
        let decoded = try FileDescriptorSet(serializedBytes: [0x0A] + varint(UInt64(health.serializedDescriptor.count)) + health.serializedDescriptor)
        #expect(decoded.files[0].services.map(\.name) == ["Health"])
        #expect(decoded.files[0].messages.map(\.name) == ["HealthCheckRequest", "HealthCheckResponse"])
    }

    private func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        return bytes
    }
}

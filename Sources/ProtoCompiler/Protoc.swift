// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoCompiler

import Foundation

/// Runs `protoc` to turn `.proto` files into a `FileDescriptorSet`.
public enum Protoc {
    public static func descriptorSet(plan: GenerationPlan, root: String) throws -> FileDescriptorSet {
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("protogen-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).pb")
        defer { try? FileManager.default.removeItem(at: temporary) }
        var arguments = ["--include_imports", "--include_source_info", "--descriptor_set_out=\(temporary.path)"]
        arguments += plan.includeDirectories.map { "-I" + root + "/" + $0 }
        arguments += plan.groups.flatMap(\.files)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["protoc"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GenerationError("protoc failed (is protobuf-compiler installed?):\n" + String(decoding: message, as: UTF8.self))
        }
        let bytes = try [UInt8](Data(contentsOf: temporary))
        return try FileDescriptorSet(serializedBytes: bytes)
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoGen: generates Swift from Protos/ (see Protos/protogen.txt).
//
//   swift run ProtoGen           regenerate every Generated/ folder
//   swift run ProtoGen --check   regenerate into a temporary folder and fail on any difference

import Foundation
import ProtoCompiler

let arguments = CommandLine.arguments.dropFirst()
let check = arguments.contains("--check")
let root = FileManager.default.currentDirectoryPath
let configPath = root + "/Protos/protogen.txt"

do {
    let plan = try GenerationPlan(parsing: String(contentsOfFile: configPath, encoding: .utf8))
    let set = try Protoc.descriptorSet(plan: plan, root: root)
    let output = try plan.generate(from: set, regenerateCommand: "swift run ProtoGen")
    var differences: [String] = []
    for (directory, files) in output.sorted(by: { $0.key < $1.key }) {
        let folder = root + "/" + directory
        let existing = Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".pb.swift") || $0.hasSuffix(".rpc.swift") })
        for name in existing.subtracting(files.keys).sorted() {
            differences.append("\(directory)/\(name): stale (no proto generates it)")
            if !check { try FileManager.default.removeItem(atPath: folder + "/" + name) }
        }
        if !check { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        for (name, source) in files.sorted(by: { $0.key < $1.key }) {
            let path = folder + "/" + name
            let current = try? String(contentsOfFile: path, encoding: .utf8)
            if current != source {
                differences.append("\(directory)/\(name): \(current == nil ? "missing" : "out of date")")
                if !check { try source.write(toFile: path, atomically: true, encoding: .utf8) }
            }
        }
    }
    if check {
        if differences.isEmpty {
            print("ProtoGen --check: generated code is current (\(output.values.map(\.count).reduce(0, +)) files)")
        } else {
            for line in differences { print("ProtoGen --check: \(line)") }
            print("ProtoGen --check: run `swift run ProtoGen` and commit the result")
            exit(1)
        }
    } else {
        print("ProtoGen: \(differences.count) file(s) written or removed")
    }
} catch {
    FileHandle.standardError.write(Data("ProtoGen: \(error)\n".utf8))
    exit(2)
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/StandardServices/Internal/ReflectionIndex.swift and
// ReflectionIndex+Requests.swift

import Contracts
import ProtoWire
import Testing

@testable import StandardServices

@Suite("ReflectionIndex")
struct ReflectionIndexTests {
    let index = ReflectionIndex(
        files: [ExtensionFixture.file, ExtensionFixture.dependency], serviceNames: ["ext.Svc", "ext.Svc"])

    @Test func extensionsAreFoundByTypeAndNumber() throws {
        #expect(index.fileName(containingExtension: 100, of: "ext.Base") == "ext.proto")
        #expect(index.fileName(containingExtension: 200, of: ".ext.Base") == "ext.proto")
        #expect(index.fileName(containingExtension: 300, of: "ext.Base") == nil)
        #expect(index.extensionNumbers(of: "ext.Base") == [100, 200])
        #expect(index.extensionNumbers(of: "ext.Base.Inner") == [])
        #expect(index.extensionNumbers(of: "ext.Color") == nil)
    }

    @Test func extensionRequestsReturnTheDeclaringFileWithItsDependencies() throws {
        var request = ReflectionIndex.Request()
        request.fileContainingExtension.containingType = "ext.Base"
        request.fileContainingExtension.extensionNumber = 200
        let names = try DescriptorNames.fileNames(of: index.answer(request).fileDescriptorResponse.fileDescriptorProto)
        #expect(names == ["ext.proto", "dep.proto"])

        request.allExtensionNumbersOfType = "ext.Base"
        let numbers = index.answer(request).allExtensionNumbersResponse
        #expect(numbers.baseTypeName == "ext.Base")
        #expect(numbers.extensionNumber == [100, 200])
    }

    @Test func servicesAreListedOnce() {
        #expect(index.serviceNames == ["ext.Svc"])
        #expect(index.servicesWithoutDescriptors.isEmpty)
    }

    @Test func anUndecodableFileIsServedByNameButNotIndexed() throws {
        let broken = FileDescriptorData(name: "broken.proto", dependencies: ["dep.proto"], serializedDescriptor: [0x22, 0x7F])
        let index = ReflectionIndex(files: [broken, ExtensionFixture.dependency], serviceNames: [])
        #expect(index.undecodableFiles == ["broken.proto"])
        #expect(index.descriptorsWithDependencies(ofFile: "broken.proto")?.count == 2)
    }

    @Test func missingDependenciesAreSkippedAndCyclesEndOnce() throws {
        let a = FileDescriptorData(name: "a.proto", dependencies: ["b.proto", "missing.proto"], serializedDescriptor: ProtoBytes.field(1, "a.proto"))
        let b = FileDescriptorData(name: "b.proto", dependencies: ["a.proto"], serializedDescriptor: ProtoBytes.field(1, "b.proto"))
        let index = ReflectionIndex(files: [a, b, a], serviceNames: [])
        let names = try DescriptorNames.fileNames(of: try #require(index.descriptorsWithDependencies(ofFile: "a.proto")))
        #expect(names == ["a.proto", "b.proto"])
        #expect(index.descriptorsWithDependencies(ofFile: "missing.proto") == nil)
    }
}

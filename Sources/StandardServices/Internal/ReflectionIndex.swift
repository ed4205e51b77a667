// SPDX-License-Identifier: Apache-2.0
// UsageFlow — StandardServices

import ProtoWire

/// The lookups server reflection answers from, built once at start-up and then only read.
///
/// Both protocol versions share one index: the files and names are the same, only the generated
/// message types differ. Lookups are dictionary reads on an immutable value, so concurrent
/// reflection streams need no locks.
struct ReflectionIndex: Sendable {
    /// The services `list_services` reports, sorted and without duplicates.
    let serviceNames: [String]
    /// Files whose descriptor bytes did not decode: still served by name, but their symbols are
    /// not indexed. Generated descriptors always decode; this is for reporting, not control flow.
    private(set) var undecodableFiles: [String] = []

    private var files: [String: FileDescriptorData] = [:]
    private var fileBySymbol: [String: String] = [:]
    private var fileByExtension: [FileDescriptorSummary.Extension: String] = [:]
    /// Extension numbers per message type; every indexed message has an entry, empty if unextended.
    private var extensionNumbersByType: [String: [Int32]] = [:]

    /// Indexes `files`; the first file of a name and the first definition of a symbol win.
    init(files: [FileDescriptorData], serviceNames: [String]) {
        self.serviceNames = Set(serviceNames).sorted()
        for file in files where self.files[file.name] == nil {
            self.files[file.name] = file
            guard let summary = try? FileDescriptorSummary(decoding: file.serializedDescriptor) else {
                undecodableFiles.append(file.name)
                continue
            }
            for symbol in summary.symbols where fileBySymbol[symbol] == nil {
                fileBySymbol[symbol] = file.name
            }
            for type in summary.messageTypes where extensionNumbersByType[type] == nil {
                extensionNumbersByType[type] = []
            }
            for ext in summary.extensions where fileByExtension[ext] == nil {
                fileByExtension[ext] = file.name
                extensionNumbersByType[ext.extendee, default: []].append(ext.number)
            }
        }
    }

    /// The serialized descriptor of `name` followed by those of its transitive dependencies, each
    /// once, dependencies in breadth-first order; nil for an unknown file.
    ///
    /// A client builds descriptors only once it has every import, so all of them travel in one
    /// response. A dependency missing from the index is skipped rather than failing the request:
    /// the client can still ask for it by name and get a precise NOT_FOUND.
    func descriptorsWithDependencies(ofFile name: String) -> [[UInt8]]? {
        guard files[name] != nil else { return nil }
        var seen: Set<String> = [name]
        var queue = [name]
        var descriptors: [[UInt8]] = []
        var next = 0
        while next < queue.count {
            let current = queue[next]
            next += 1
            guard let file = files[current] else { continue }
            descriptors.append(file.serializedDescriptor)
            for dependency in file.dependencies where seen.insert(dependency).inserted {
                queue.append(dependency)
            }
        }
        return descriptors
    }

    /// The file that defines a fully-qualified symbol (a leading dot is accepted).
    func fileName(containingSymbol symbol: String) -> String? {
        fileBySymbol[FileDescriptorSummary.withoutLeadingDot(symbol)]
    }

    /// The file that declares extension `number` of `type`.
    func fileName(containingExtension number: Int32, of type: String) -> String? {
        fileByExtension[.init(extendee: FileDescriptorSummary.withoutLeadingDot(type), number: number)]
    }

    /// The extension numbers declared for a message type, sorted; nil if the type is unknown.
    func extensionNumbers(of type: String) -> [Int32]? {
        extensionNumbersByType[FileDescriptorSummary.withoutLeadingDot(type)]?.sorted()
    }

    /// Listed services that no indexed file defines, which reflection clients cannot describe.
    var servicesWithoutDescriptors: [String] {
        serviceNames.filter { fileBySymbol[$0] == nil }
    }
}

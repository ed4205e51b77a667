// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport

import RPCCore

extension Metadata {
    /// The key under which a status's rich details travel, as on the wire.
    static let statusDetailsKey = "grpc-status-details-bin"

    /// The entries an HTTP/2 peer would receive: legal keys (not reserved, not `grpc-`), printable
    /// ASCII values on ordinary keys and binary values on `-bin` keys. Anything else is dropped,
    /// so a test sees what a real client or server would, not what was merely set.
    var crossingTheWire: Metadata {
        if allSatisfy(\.crossesTheWire) { return self }
        var kept = Metadata()
        for entry in self where entry.crossesTheWire { kept.append(entry) }
        return kept
    }

    mutating func append(_ entry: Entry) {
        switch entry.value {
        case .string(let value): add(entry.key, value)
        case .binary(let value): add(entry.key, binary: value)
        }
    }
}

extension Metadata.Entry {
    fileprivate var crossesTheWire: Bool {
        guard Metadata.isValidKey(key) else { return false }
        switch value {
        case .string(let text): return !key.hasSuffix("-bin") && Metadata.isValidValue(text)
        case .binary: return key.hasSuffix("-bin")
        }
    }
}

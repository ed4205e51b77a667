// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import ProtoWire

/// A method by its service and method names, for per-call lookups.
///
/// Why: `MethodSchema.path` builds the `/service/method` string on every use; interceptors that
/// look a method up on every call hash these two stored strings instead.
struct MethodName: Hashable, Sendable {
    let service: String
    let name: String

    init(_ schema: MethodSchema) {
        service = schema.service
        name = schema.name
    }

    /// The names in a path `/service/method`, or nil when it is not one.
    init?(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        service = String(parts[1])
        name = String(parts[2])
    }
}

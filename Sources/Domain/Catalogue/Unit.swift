// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// A unit of measure: one of the built-in units, or a vendor's own.
public struct Unit: Sendable, Hashable {
    public var name: String
    public var description: String
    /// Nil for built-in units.
    public var vendorID: String?

    public init(name: String, description: String, vendorID: String?) {
        self.name = name
        self.description = description
        self.vendorID = vendorID
    }

    public var isBuiltin: Bool { vendorID == nil }

    /// The units every vendor can use (SPEC §2).
    public static let builtin: [Unit] = [
        Unit(name: "MB*h", description: "megabyte-hours", vendorID: nil),
        Unit(name: "MHz*h", description: "megahertz-hours", vendorID: nil),
        Unit(name: "unit*h", description: "unit-hours", vendorID: nil),
    ]

    public static func isBuiltin(_ name: String) -> Bool { builtin.contains { $0.name == name } }
}

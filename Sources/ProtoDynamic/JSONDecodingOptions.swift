// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// How `DynamicMessage(schema:jsonString:options:)` reads.
///
/// The limits bound what a mistaken or hostile input can cost before any of it is interpreted.
public struct JSONDecodingOptions: Sendable, Hashable {
    /// Skip members that name no field (and enum names the schema does not know) instead of
    /// failing, as a client reading a newer server's output might want.
    public var ignoreUnknownFields: Bool
    /// The deepest nesting of arrays and objects accepted.
    public var depthLimit: Int
    /// The largest input accepted, in bytes of UTF-8.
    public var sizeLimit: Int

    public init(ignoreUnknownFields: Bool = false, depthLimit: Int = 100, sizeLimit: Int = 16 << 20) {
        self.ignoreUnknownFields = ignoreUnknownFields
        self.depthLimit = depthLimit
        self.sizeLimit = sizeLimit
    }
}

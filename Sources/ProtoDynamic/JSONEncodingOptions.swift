// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// How `DynamicMessage.jsonString(options:)` prints.
///
/// The defaults give proto3 canonical JSON in one line; the CLI turns on `pretty` for people and
/// `includeDefaults` when a zero should be visible rather than implied.
public struct JSONEncodingOptions: Sendable, Hashable {
    /// Also print implicit-presence fields at their zero value, and empty lists and maps.
    public var includeDefaults: Bool
    /// Print field names as written in the `.proto` file (`response_size`) instead of the JSON
    /// names (`responseSize`).
    public var useProtoNames: Bool
    /// Indent nested values by two spaces, one member per line.
    public var pretty: Bool

    public init(includeDefaults: Bool = false, useProtoNames: Bool = false, pretty: Bool = false) {
        self.includeDefaults = includeDefaults
        self.useProtoNames = useProtoNames
        self.pretty = pretty
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Bounds on what an XML part may ask of the tokenizer.
public struct XMLLimits: Sendable, Hashable {
    /// The deepest element nesting allowed (SpreadsheetML needs fewer than ten levels).
    public var maximumDepth: Int = 256
    /// The largest single tag, text run or CDATA section, in bytes.
    public var maximumTokenSize: Int = 4 << 20
    /// The most attributes on one element.
    public var maximumAttributes: Int = 512

    public init() {}
}

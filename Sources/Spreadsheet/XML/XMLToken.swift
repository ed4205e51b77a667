// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// What `XMLPullParser.next()` found; the parser's properties hold the details.
public enum XMLToken: Sendable, Hashable {
    /// A start tag: `name` and `attributes` describe it. An empty element (`<x/>`) is reported as
    /// a start followed by an end.
    case startElement
    /// An end tag (or the end of an empty element): `name` describes it.
    case endElement
    /// Character data between tags, CDATA sections included, entities decoded: read it with `text()`.
    case text
    /// The root element has closed and the input has ended.
    case endOfDocument
}

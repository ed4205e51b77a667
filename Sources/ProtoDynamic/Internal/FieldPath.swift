// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// A dotted field path as the CLI takes it: `capabilities.ppu`, `response_parameters[1].size`,
/// `stats_per_method["UnaryCall"].rpcs_started`.
struct FieldPath {
    struct Segment {
        let name: String
        /// The text between brackets: a list index or a map key (quotes removed).
        let selector: String?
    }

    let segments: [Segment]

    init(_ text: String) throws(DynamicMessageError) {
        let invalid = DynamicMessageError(
            .unknownField, path: "",
            "invalid field path \(quoted(text)) (expected names separated by dots, such as capabilities.ppu)")
        var segments: [Segment] = []
        var characters = Substring(text)
        while true {
            let nameEnd = characters.firstIndex { $0 == "." || $0 == "[" } ?? characters.endIndex
            let name = String(characters[..<nameEnd])
            guard !name.isEmpty else { throw invalid }
            characters = characters[nameEnd...]
            var subscriptText: String?
            if characters.first == "[" {
                guard let close = characters.firstIndex(of: "]") else { throw invalid }
                var inner = characters[characters.index(after: characters.startIndex)..<close]
                if inner.count >= 2, inner.first == "\"", inner.last == "\"" {
                    inner = inner.dropFirst().dropLast()
                }
                subscriptText = String(inner)
                characters = characters[characters.index(after: close)...]
            }
            segments.append(Segment(name: name, selector: subscriptText))
            if characters.isEmpty { break }
            guard characters.first == "." else { throw invalid }
            characters = characters.dropFirst()
        }
        self.segments = segments
    }
}

extension MessageSchema {
    /// The field a command-line name means: the proto or JSON name exactly, else with `-` read
    /// as `_` and case ignored (`--response-size` for `response_size`).
    func field(flagName: String) -> FieldSchema? {
        if let exact = field(named: flagName) { return exact }
        let wanted = String(flagName.map { $0 == "-" ? "_" : $0 }).lowercased()
        return fields.first { $0.name.lowercased() == wanted || $0.jsonName.lowercased() == wanted }
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

/// Where an RPC lives on the `usageflow` command line: `usageflow <role> <resource> <verb>`.
///
/// Derived from the service and method names by a convention (the first camel-case word of the
/// method is the verb; the rest, pluralised and kebab-cased, the resource) plus a short table of
/// exceptions, so a new RPC gets its command without code and the names stay predictable:
/// `VendorService.CreateItem` → `vendor items create`, `ListItems` → `items list`,
/// `EndItemSale` → `items end-sale`, `CreateApiKey` → `keys create`.
public struct CommandPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `admin`, `vendor`, `distributor`, `reseller`.
    public var role: String
    /// Plural and kebab-case: `items`, `reseller-keys`, `identities`.
    public var resource: String
    /// Kebab-case: `create`, `list`, `end-sale`.
    public var verb: String

    public init(role: String, resource: String, verb: String) {
        self.role = role
        self.resource = resource
        self.verb = verb
    }

    public var description: String { "\(role) \(resource) \(verb)" }

    public static func < (lhs: CommandPath, rhs: CommandPath) -> Bool {
        (lhs.role, lhs.resource, lhs.verb) < (rhs.role, rhs.resource, rhs.verb)
    }

    /// Methods whose name does not read as verb + resource.
    static let methodExceptions: [String: (resource: String, verb: String)] = [
        "EndItemSale": ("items", "end-sale"),
        // `CloseRecord` has `records close`; the bulk close needs a verb of its own.
        "CloseRecords": ("records", "close-many"),
        // `MarkRecordsBilled` would read `records-billeds mark`: the marks are on records.
        "MarkRecordsBilled": ("records", "mark-billed"),
    ]

    /// Resources with a shorter or clearer command name than their message name.
    static let resourceExceptions: [String: String] = [
        "ApiKey": "keys", "ApiKeys": "keys",
        "ServiceIdentity": "identities", "ServiceIdentities": "identities",
    ]

    /// The command role of a service: `usageflow.v1.AdminService` → `admin`; nil for a name that
    /// does not end in `Service`.
    public static func role(forService fullName: String) -> String? {
        let name = fullName.split(separator: ".").last.map(String.init) ?? fullName
        guard name.hasSuffix("Service"), name.count > "Service".count else { return nil }
        return kebab(words(String(name.dropLast("Service".count))))
    }

    /// The command of one RPC, or nil when the service or method name does not fit the convention.
    public init?(service: String, method: String) {
        guard let role = Self.role(forService: service) else { return nil }
        if let exception = Self.methodExceptions[method] {
            self.init(role: role, resource: exception.resource, verb: exception.verb)
            return
        }
        let parts = Self.words(method)
        guard parts.count >= 2 else { return nil }
        let verb = parts[0].lowercased()
        let resourceName = parts.dropFirst().joined()
        let resource = Self.resourceExceptions[resourceName] ?? Self.kebab(Self.pluralised(Array(parts.dropFirst())))
        self.init(role: role, resource: resource, verb: verb)
    }

    /// Splits `CreateServiceIdentity` into `Create`, `Service`, `Identity`; digits stay with the
    /// word before them (`Tier2`).
    static func words(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in name {
            if character.isUppercase, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func kebab(_ words: [String]) -> String { words.map { $0.lowercased() }.joined(separator: "-") }

    /// The words with the last one in the plural (already plural words, as in `ListItems`, stay).
    static func pluralised(_ words: [String]) -> [String] {
        guard var last = words.last else { return words }
        let lower = last.lowercased()
        if lower.hasSuffix("s") {
            // Already plural.
        } else if lower.hasSuffix("y"), let before = lower.dropLast().last, !"aeiou".contains(before) {
            last = String(last.dropLast()) + "ies"
        } else if lower.hasSuffix("x") || lower.hasSuffix("ch") || lower.hasSuffix("sh") {
            last += "es"
        } else {
            last += "s"
        }
        return words.dropLast() + [last]
    }
}

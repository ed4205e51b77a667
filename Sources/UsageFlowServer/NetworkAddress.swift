// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

/// A `host:port` pair as flags and environment variables write it: `127.0.0.1:8443`,
/// `localhost:8443`, `[::1]:8443`.
///
/// The server's `--address` and the client's `--server` read the same form, so one parser keeps
/// them agreeing on IPv6 brackets and port ranges.
public struct NetworkAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets: `::1`, not `[::1]`.
    public var host: String
    /// 0…65535; 0 asks the kernel for a free port when listening.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; nil when the text is not of that form or the port is not 0…65535.
    public init?(parsing text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            guard !hostPart.contains(":") else { return nil }  // IPv6 needs brackets
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0 == " " || $0 == "/" }),
            !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), portPart.count <= 5,
            let port = Int(portPart), port <= 65_535
        else { return nil }
        self.host = String(hostPart)
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

// SPDX-License-Identifier: Apache-2.0
import HTTP2
import Testing

/// A client and a server connection joined by an in-memory pipe.
final class ConnectionPair {
    let client: HTTP2Connection
    let server: HTTP2Connection
    var clientEvents: [HTTP2Event] = []
    var serverEvents: [HTTP2Event] = []

    init(client clientSettings: HTTP2Settings = HTTP2Settings(), server serverSettings: HTTP2Settings = HTTP2Settings())
        throws
    {
        client = try HTTP2Connection(role: .client, settings: clientSettings)
        server = try HTTP2Connection(role: .server, settings: serverSettings)
    }

    /// Moves bytes both ways until neither side has anything to say, collecting events.
    ///
    /// `chunkSize` splits every transfer into pieces of at most that many bytes (1 = byte by byte).
    func pump(chunkSize: Int = .max, maxRounds: Int = 10_000) throws {
        for _ in 0..<maxRounds {
            let toServer = try client.pendingOutput()
            let toClient = try server.pendingOutput()
            // Sending can produce events too (a stream closes when its last frame goes out).
            clientEvents += client.takeEvents()
            serverEvents += server.takeEvents()
            if toServer.isEmpty && toClient.isEmpty { return }
            try feed(toServer, to: server, chunkSize: chunkSize)
            serverEvents += server.takeEvents()
            try feed(toClient, to: client, chunkSize: chunkSize)
            clientEvents += client.takeEvents()
        }
        Issue.record("pump did not settle")
    }

    private func feed(_ bytes: [UInt8], to connection: HTTP2Connection, chunkSize: Int) throws {
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunkSize)
            try connection.receive(Array(bytes[index..<end]))
            index = end
        }
    }

    /// Removes and returns the collected events of each side.
    func takeClientEvents() -> [HTTP2Event] {
        defer { clientEvents = [] }
        return clientEvents
    }

    func takeServerEvents() -> [HTTP2Event] {
        defer { serverEvents = [] }
        return serverEvents
    }
}

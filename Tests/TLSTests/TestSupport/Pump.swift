// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import TLS

/// One end of an in-memory TLS link: our `TLSConnection` or a raw OpenSSL peer.
protocol CiphertextEndpoint: AnyObject {
    /// Bytes this end wants to send.
    func takeOutgoing() -> [UInt8]
    /// Bytes from the other end.
    func receiveIncoming(_ bytes: [UInt8]) throws
}

extension TLSConnection: CiphertextEndpoint {
    func takeOutgoing() -> [UInt8] { takeCiphertext() }
    func receiveIncoming(_ bytes: [UInt8]) throws { try receiveCiphertext(bytes) }
}

/// What happened while pumping: the first error each end threw, if any.
struct PumpOutcome {
    var clientError: (any Error)?
    var serverError: (any Error)?

    var succeeded: Bool { clientError == nil && serverError == nil }
    var clientTLSError: TLSError? { clientError as? TLSError }
    var serverTLSError: TLSError? { serverError as? TLSError }
}

/// Moves ciphertext between two ends until neither has anything to send. An end that threw keeps
/// having its output forwarded (so the other sees its alert) but receives nothing more.
/// `chunkSize` splits every delivery, down to one byte at a time.
@discardableResult
func pump(client: some CiphertextEndpoint, server: some CiphertextEndpoint, chunkSize: Int = .max) -> PumpOutcome {
    var outcome = PumpOutcome()
    for _ in 0..<10_000 {
        var moved = false
        let fromClient = client.takeOutgoing()
        if !fromClient.isEmpty {
            moved = true
            if outcome.serverError == nil {
                outcome.serverError = deliver(fromClient, to: server, chunkSize: chunkSize)
            }
        }
        let fromServer = server.takeOutgoing()
        if !fromServer.isEmpty {
            moved = true
            if outcome.clientError == nil {
                outcome.clientError = deliver(fromServer, to: client, chunkSize: chunkSize)
            }
        }
        if !moved { return outcome }
    }
    fatalError("pump did not settle")
}

private func deliver(_ bytes: [UInt8], to endpoint: some CiphertextEndpoint, chunkSize: Int) -> (any Error)? {
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + max(1, min(chunkSize, bytes.count)))
        do {
            try endpoint.receiveIncoming(Array(bytes[offset..<end]))
        } catch {
            return error
        }
        offset = end
    }
    return nil
}

/// A client and server `TLSConnection` with the handshake done (or failed).
struct ConnectedPair {
    let client: TLSConnection
    let server: TLSConnection
    let outcome: PumpOutcome

    init(
        client clientConfiguration: TLSConfiguration,
        server serverConfiguration: TLSConfiguration,
        serverName: String? = nil,
        chunkSize: Int = .max
    ) throws {
        let clientContext = try TLSContext(configuration: clientConfiguration)
        let serverContext = try TLSContext(configuration: serverConfiguration)
        client = try TLSConnection(context: clientContext, serverName: serverName)
        server = try TLSConnection(context: serverContext)
        outcome = pump(client: client, server: server, chunkSize: chunkSize)
    }

    /// Sends `bytes` from one end in `writeChunk` pieces, pumping and reading as it goes, and returns
    /// what the other end read.
    func transfer(_ bytes: [UInt8], fromClient: Bool, writeChunk: Int = 65_536) throws -> [UInt8] {
        let sender = fromClient ? client : server
        let receiver = fromClient ? server : client
        var received: [UInt8] = []
        received.reserveCapacity(bytes.count)
        var offset = 0
        while offset < bytes.count || sender.hasPendingCiphertext || receiver.hasPendingPlaintext {
            if offset < bytes.count {
                let end = min(bytes.count, offset + writeChunk)
                try sender.writePlaintext(Array(bytes[offset..<end]))
                offset = end
            }
            let outcome = pump(client: client, server: server)
            if let error = outcome.clientError ?? outcome.serverError { throw error }
            while try receiver.readPlaintext(into: &received, maxBytes: 16_384) > 0 {}
        }
        return received
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL
import Glibc

/// The ciphertext between one `SSL` and the transport: bytes received from the socket that OpenSSL
/// has not read yet, and bytes OpenSSL wrote that the transport has not taken yet.
///
/// OpenSSL reaches the buffers through a BIO of our own method (`makeBIO`), not a memory BIO: a
/// memory BIO grows its buffer by reallocating, copying and cleansing it, and the transport then
/// copies the bytes out again. Here OpenSSL's records are appended straight to a Swift array, which
/// the connection can point at the transport's own socket buffer for the length of one write
/// (`TLSConnection.writePlaintext(_:appendingCiphertextTo:)`), so encrypted bytes are copied once.
///
/// Ownership: the `TLSConnection` holds the channel; the BIO holds an unretained pointer to it and
/// is owned by the connection's `SSL`, which the connection frees before its stored properties go,
/// so no callback can run once the channel is gone.
final class CiphertextChannel {
    /// Received ciphertext; OpenSSL has read everything before `incomingOffset`.
    var incoming: [UInt8] = []
    var incomingOffset = 0
    /// Ciphertext OpenSSL produced, in order, for the socket.
    var outgoing: [UInt8] = []

    /// Buffers that grew past this are released once drained, so an idle connection does not keep
    /// the high-water mark of a large transfer.
    static let idleCapacity = 4096

    /// Received bytes OpenSSL has not read.
    var incomingCount: Int { incoming.count - incomingOffset }

    /// Appends bytes read from the socket.
    func receive(_ bytes: UnsafeRawBufferPointer) {
        if incomingOffset > 0, incomingOffset == incoming.count {
            incoming.removeAll(keepingCapacity: true)
            incomingOffset = 0
        } else if incomingOffset >= Self.compactionThreshold {
            // A peer whose records keep straddling socket reads never lets the buffer run dry:
            // drop what was read (the rest is at most part of a record) so it cannot grow forever.
            incoming.removeFirst(incomingOffset)
            incomingOffset = 0
        }
        incoming.append(contentsOf: bytes)
    }

    /// Read bytes kept at the front before they are dropped on the next `receive`.
    static let compactionThreshold = 64 * 1024

    /// What the buffers hold allocated, for tests of their bounds.
    var capacities: (incoming: Int, outgoing: Int) { (incoming.capacity, outgoing.capacity) }

    /// Appends every outgoing byte to `buffer` and empties `outgoing`.
    func takeOutgoing(into buffer: inout [UInt8]) {
        guard !outgoing.isEmpty else { return }
        buffer.append(contentsOf: outgoing)
        outgoing.removeAll(keepingCapacity: outgoing.capacity <= Self.idleCapacity)
    }

    /// Moves up to `buffer.count` outgoing bytes into `buffer`; returns how many.
    func takeOutgoing(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, outgoing.count)
        guard count > 0, let base = buffer.baseAddress else { return 0 }
        outgoing.withUnsafeBytes { source in _ = memcpy(base, source.baseAddress!, count) }
        if count == outgoing.count {
            outgoing.removeAll(keepingCapacity: outgoing.capacity <= Self.idleCapacity)
        } else {
            outgoing.removeFirst(count)
        }
        return count
    }

    /// A BIO that reads `incoming` and appends to `outgoing`, for both sides of one `SSL`
    /// (`SSL_set_bio(ssl, bio, bio)` takes the single reference).
    func makeBIO() -> OpaquePointer? {
        guard let method = Self.method.pointer, let bio = BIO_new(method) else { return nil }
        BIO_set_data(bio, Unmanaged.passUnretained(self).toOpaque())
        BIO_set_init(bio, 1)
        return bio
    }

    private static func channel(of bio: OpaquePointer?) -> CiphertextChannel? {
        guard let bio, let data = BIO_get_data(bio) else { return nil }
        return Unmanaged<CiphertextChannel>.fromOpaque(data).takeUnretainedValue()
    }

    /// Created once per process; OpenSSL never frees it.
    private static let method = Method()

    /// The BIO method. `@unchecked Sendable`: the pointer is written once, during the thread-safe
    /// initialisation of the static `method`, and only read afterwards; OpenSSL reads a method's
    /// callbacks without changing it.
    private struct Method: @unchecked Sendable {
        let pointer: OpaquePointer?

        init() {
            let type = BIO_get_new_index() | Int32(BIO_TYPE_SOURCE_SINK)
            guard let method = BIO_meth_new(type, "usageflow ciphertext") else {
                pointer = nil
                return
            }
            _ = BIO_meth_set_read_ex(method) { bio, data, length, readBytes in
                copenssl_bio_clear_retry_flags(bio)
                readBytes?.pointee = 0
                guard let channel = CiphertextChannel.channel(of: bio), let data else { return 0 }
                let count = min(length, channel.incomingCount)
                guard count > 0 else {
                    // No bytes yet is "try again once the socket delivered more", not end of stream.
                    copenssl_bio_set_retry_read(bio)
                    return 0
                }
                channel.incoming.withUnsafeBytes { source in
                    _ = memcpy(data, source.baseAddress! + channel.incomingOffset, count)
                }
                channel.incomingOffset += count
                if channel.incomingOffset == channel.incoming.count {
                    channel.incoming.removeAll(keepingCapacity: channel.incoming.capacity <= idleCapacity)
                    channel.incomingOffset = 0
                }
                readBytes?.pointee = count
                return 1
            }
            _ = BIO_meth_set_write_ex(method) { bio, data, length, written in
                copenssl_bio_clear_retry_flags(bio)
                written?.pointee = 0
                guard let channel = CiphertextChannel.channel(of: bio), let data else { return 0 }
                channel.outgoing.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
                written?.pointee = length
                return 1
            }
            _ = BIO_meth_set_ctrl(method) { bio, command, _, _ in
                guard let channel = CiphertextChannel.channel(of: bio) else { return 0 }
                switch command {
                case BIO_CTRL_FLUSH: return 1
                case BIO_CTRL_PENDING: return channel.incomingCount
                case BIO_CTRL_WPENDING: return channel.outgoing.count
                default: return 0
                }
            }
            _ = BIO_meth_set_create(method) { _ in 1 }
            _ = BIO_meth_set_destroy(method) { bio in
                BIO_set_data(bio, nil)
                BIO_set_init(bio, 0)
                return 1
            }
            pointer = method
        }
    }
}

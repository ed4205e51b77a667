// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import RPCCore

/// Sends a download as `FileChunk` messages: the first names the file and its media type, and no
/// chunk is larger than `maximumChunkSize`, well under the 4 MiB message limit of gRPC clients.
public struct DownloadChunks {
    public static let maximumChunkSize = 256 * 1024

    public let name: String
    public let contentType: String
    let response: ResponseWriter<Usageflow_V1_FileChunk>
    private var sentFirst = false

    public init(name: String, contentType: String, response: ResponseWriter<Usageflow_V1_FileChunk>) {
        self.name = name
        self.contentType = contentType
        self.response = response
    }

    /// Sends `bytes` in chunks; with `last`, sends the first chunk even when there are no bytes,
    /// so every download names its file.
    public mutating func send(_ bytes: [UInt8], last: Bool = false) async throws {
        var start = 0
        while start < bytes.count || (last && !sentFirst) {
            let end = min(start + Self.maximumChunkSize, bytes.count)
            var chunk = Usageflow_V1_FileChunk()
            if !sentFirst {
                chunk.fileName = name
                chunk.contentType = contentType
                sentFirst = true
            }
            chunk.data = Array(bytes[start..<end])
            try await response.write(chunk)
            start = end
        }
    }
}

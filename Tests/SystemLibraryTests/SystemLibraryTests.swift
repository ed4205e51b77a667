// SPDX-License-Identifier: Apache-2.0
// UsageFlow — checks that every system library module builds, links and loads.

import CNGHTTP2
import COpenSSL
import CSQLite
import CZlib
import Testing

@Suite("System libraries")
struct SystemLibraryTests {
    @Test func nghttp2LoadsTheVersionItWasBuiltAgainst() {
        let compiled = String(cString: cnghttp2_compiled_version())
        let runtime = String(cString: cnghttp2_runtime_version())
        #expect(compiled.hasPrefix("1."))
        #expect(runtime == compiled)
    }

    @Test func openSSLIsVersion3() {
        let text = String(cString: copenssl_version_text())
        #expect(text.hasPrefix("OpenSSL 3."))
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let input = Array("abc".utf8)
        _ = SHA256(input, input.count, &digest)
        let hex = digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sqliteOpensAnInMemoryDatabase() {
        var db: OpaquePointer?
        #expect(sqlite3_open(":memory:", &db) == SQLITE_OK)
        defer { sqlite3_close(db) }
        #expect(sqlite3_exec(db, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (42);", nil, nil, nil) == SQLITE_OK)
        #expect(sqlite3_libversion_number() >= 3_040_000)
    }

    @Test func zlibRoundTripsThroughDeflateStreams() {
        let input = Array(repeating: Array("usage record ".utf8), count: 100).flatMap { $0 }
        var compressedLength = compressBound(uLong(input.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        #expect(compress(&compressed, &compressedLength, input, uLong(input.count)) == Z_OK)
        #expect(Int(compressedLength) < input.count / 10)
        var outputLength = uLong(input.count)
        var output = [UInt8](repeating: 0, count: input.count)
        #expect(uncompress(&output, &outputLength, compressed, compressedLength) == Z_OK)
        #expect(output == input)
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngestTests

#if canImport(Glibc)
import Glibc
#endif
import Domain
import Spreadsheet
import Testing
import UsageIngest

@Suite struct BlockingIOTests {
    /// The point of the threads: the work never runs on the thread that asked for it.
    @Test func runsTheJobOnAnotherThread() async throws {
        let caller = UInt(pthread_self())
        let worker = try await BlockingIO.shared.run { () throws(DomainError) in UInt(pthread_self()) }
        #expect(worker != caller)
        #expect(worker != 0)
    }

    @Test func returnsTheResultAndThrowsTheError() async throws {
        #expect(try await BlockingIO.shared.run { () throws(DomainError) in 6 * 7 } == 42)
        await #expect(throws: DomainError.self) {
            try await BlockingIO.shared.run { () throws(DomainError) -> Int in
                throw DomainError.internalFailure("the job failed")
            }
        }
    }

    /// Appends from the upload path land in order and respect the limit like the direct ones.
    @Test func spoolAppendsOffTheCallerKeepOrderAndLimit() async throws {
        let scratch = ScratchDirectory()
        let spool = try UploadSpool(limit: 3000, directory: scratch.path)
        var expected: [UInt8] = []
        for index in 0..<1000 {
            let chunk = [UInt8(index % 251), UInt8(index % 13)]
            #expect(try await spool.append(chunk, on: .shared) == .accepted)
            expected += chunk
        }
        #expect(try await spool.append(Array(repeating: 7, count: 1001), on: .shared) == .limitExceeded)
        #expect(try await spool.append([1], on: .shared) == .limitExceeded)
        #expect(spool.byteCount == 2000)
        try spool.finish()
        let descriptor = open(spool.path, O_RDONLY)
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = read(descriptor, &bytes, bytes.count)
        #expect(Array(bytes.prefix(count)) == expected)
    }

    @Test func aWriteToAClosedDescriptorFails() async throws {
        await #expect(throws: DomainError.self) {
            try await BlockingIO.shared.writeAll(-1, [1, 2, 3], action: "write nowhere")
        }
    }
}

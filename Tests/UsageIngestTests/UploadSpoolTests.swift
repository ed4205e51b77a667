// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngestTests

#if canImport(Glibc)
import Glibc
#endif
import Domain
import Spreadsheet
import Testing
import UsageIngest

@Suite struct UploadSpoolTests {
    @Test func collectsBytesUpToTheLimit() throws {
        let scratch = ScratchDirectory()
        let spool = try UploadSpool(limit: 10, directory: scratch.path)
        #expect(spool.path.hasPrefix(scratch.path + "/usageflow-upload-"))
        #expect(try spool.append(Array("12345".utf8)) == .accepted)
        #expect(try spool.append(Array("67890".utf8)) == .accepted)
        #expect(try spool.append([1]) == .limitExceeded)
        #expect(spool.limitExceeded)
        #expect(spool.byteCount == 10)
        try spool.finish()
        #expect(try FileByteSource(path: spool.path).size == 10)
        spool.remove()
        #expect(access(spool.path, F_OK) != 0)
    }

    @Test func onceOverTheLimitNothingMoreIsWritten() throws {
        let scratch = ScratchDirectory()
        let spool = try UploadSpool(limit: 4, directory: scratch.path)
        #expect(try spool.append(Array("12345".utf8)) == .limitExceeded)
        #expect(try spool.append(Array("1".utf8)) == .limitExceeded)
        #expect(spool.byteCount == 0)
    }

    @Test func theFileGoesWithTheSpool() async throws {
        let scratch = ScratchDirectory()
        let path = try await UploadSpool.withSpool(limit: 100, directory: scratch.path) { spool in
            try spool.append(Array("data".utf8))
            #expect(access(spool.path, F_OK) == 0)
            return spool.path
        }
        #expect(access(path, F_OK) != 0)
        var other: UploadSpool? = try UploadSpool(directory: scratch.path)
        let otherPath = other!.path
        other = nil
        #expect(access(otherPath, F_OK) != 0)
    }

    @Test func onlySpoolsNoLiveProcessHoldsAreRemovedAsAbandoned() throws {
        let scratch = ScratchDirectory()
        let live = try UploadSpool(limit: 100, directory: scratch.path)
        try live.append(Array("in use".utf8))
        try live.finish()
        // What a killed server leaves: a spool file nobody holds a lock on.
        let abandoned = scratch.path + "/usageflow-upload-abc123"
        let unrelated = scratch.path + "/notes.txt"
        for path in [abandoned, unrelated] {
            let descriptor = open(path, O_CREAT | O_WRONLY, 0o600)
            #expect(descriptor >= 0)
            close(descriptor)
        }
        #expect(UploadSpool.removeAbandoned(in: scratch.path) == [abandoned])
        #expect(access(abandoned, F_OK) != 0)
        #expect(access(unrelated, F_OK) == 0)
        #expect(access(live.path, F_OK) == 0, "a finished spool still being read is not abandoned")
        live.remove()
        #expect(UploadSpool.removeAbandoned(in: scratch.path).isEmpty)
        unlink(unrelated)
    }

    @Test func appendingAfterRemovalFails() throws {
        let scratch = ScratchDirectory()
        let spool = try UploadSpool(limit: 100, directory: scratch.path)
        spool.remove()
        #expect(domainError { try spool.append([1]) }?.kind == .internalFailure)
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

import SQLite
import Synchronization
import Testing

@Suite("SQLiteDatabase write stamp")
struct SQLiteDatabaseWriteStampTests {
    /// The counter values read under each stable stamp.
    private final class Seen: Sendable {
        let values = Mutex<[UInt64: Set<Int64>]>([:])
    }

    @Test("every committed write moves the stamp; reads and rolled-back writes do not")
    func stampCountsCommits() async throws {
        try await withDatabase { database, _ in
            let start = try #require(database.writeStamp)
            try await database.write { try $0.execute("CREATE TABLE t (x UNIQUE)") }
            let afterCreate = try #require(database.writeStamp)
            #expect(afterCreate > start)

            _ = try await database.read { try $0.query("SELECT x FROM t") { try $0.int64(0) } }
            #expect(database.writeStamp == afterCreate)

            await #expect(throws: TestFailure(reason: "no")) {
                try await database.write { connection in
                    try connection.run("INSERT INTO t VALUES (1)")
                    throw TestFailure(reason: "no")
                }
            }
            await #expect(throws: SQLiteError.self) {
                try await database.write { try $0.run("INSERT INTO t VALUES (1), (1)") }
            }
            #expect(database.writeStamp == afterCreate)

            try await database.write { try $0.run("INSERT INTO t VALUES (2)") }
            let afterInsert = try #require(database.writeStamp)
            #expect(afterInsert > afterCreate)
        }
    }

    @Test("a reader never sees data newer than the stamp it read before its read")
    func stampNeverLagsVisibleData() async throws {
        // A cache relies on this: a read that sees a write's effect must also have been preceded by
        // (or run alongside) a stamp that differs from the one before that write. Each read takes the
        // stamp first, then reads the counter; a given stable stamp must always pair with one value.
        try await withDatabase(SQLiteDatabase.Configuration(readerCount: 2)) { database, _ in
            try await database.write { try $0.execute("CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0);") }
            let seen = Seen()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for _ in 0..<200 {
                        try await database.write { try $0.run("UPDATE counter SET n = n + 1") }
                    }
                }
                for _ in 0..<2 {
                    group.addTask {
                        for _ in 0..<400 {
                            guard let stamp = database.writeStamp else { continue }
                            let n = try await database.read {
                                try #require(try $0.queryOne("SELECT n FROM counter") { try $0.int64(0) })
                            }
                            // Stable stamps seen again after the read still name the same data.
                            if database.writeStamp == stamp {
                                _ = seen.values.withLock { $0[stamp, default: []].insert(n) }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let ambiguous = seen.values.withLock { $0.filter { $0.value.count > 1 } }
            #expect(ambiguous.isEmpty)
        }
    }
}

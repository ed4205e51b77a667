// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

import Glibc
import SQLite
import Testing

@Suite("SQLiteDatabase")
struct SQLiteDatabaseTests {
    private static let counterSchema = "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);"

    private static func counter(_ connection: SQLiteConnection) throws -> Int64 {
        try #require(try connection.queryOne("SELECT n FROM counter WHERE id = 1") { try $0.int64(0) })
    }

    @Test("write returns the closure's value and read sees the commit")
    func writeThenRead() async throws {
        try await withDatabase { database, _ in
            let id = try await database.write { connection in
                try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
                try connection.run("INSERT INTO t (name) VALUES (?)", ["first"])
                return connection.lastInsertRowID
            }
            #expect(id == 1)
            let names = try await database.read { connection in
                try connection.query("SELECT name FROM t") { try $0.text(0) }
            }
            #expect(names == ["first"])
        }
    }

    @Test("a throwing write closure rolls back and its error surfaces unchanged")
    func writeRollsBack() async throws {
        try await withDatabase { database, _ in
            try await database.write { try $0.execute("CREATE TABLE t (name TEXT UNIQUE)") }
            await #expect(throws: TestFailure(reason: "changed my mind")) {
                try await database.write { connection in
                    try connection.run("INSERT INTO t VALUES ('a')")
                    try connection.run("INSERT INTO t VALUES ('b')")
                    throw TestFailure(reason: "changed my mind")
                }
            }
            // A failing statement rolls back what the closure did before it, too.
            let error = await #expect(throws: SQLiteError.self) {
                try await database.write { connection in
                    try connection.run("INSERT INTO t VALUES ('c')")
                    try connection.run("INSERT INTO t VALUES ('c')")
                }
            }
            #expect(error?.isUniqueConstraint == true)
            #expect(try await database.read { try $0.query("SELECT name FROM t") { try $0.text(0) } } == [])
            // The writer is usable afterwards: no transaction was left open.
            try await database.write { try $0.run("INSERT INTO t VALUES ('d')") }
            #expect(try await database.read { try $0.query("SELECT name FROM t") { try $0.text(0) } } == ["d"])
        }
    }

    @Test("a read closure throwing surfaces its own error; readers cannot write")
    func readErrors() async throws {
        try await withDatabase { database, _ in
            try await database.write { try $0.execute("CREATE TABLE t (x)") }
            await #expect(throws: TestFailure(reason: "read failed")) {
                try await database.read { _ in throw TestFailure(reason: "read failed") }
            }
            let error = await #expect(throws: SQLiteError.self) {
                try await database.read { try $0.run("INSERT INTO t VALUES (1)") }
            }
            #expect(error?.primaryResultCode == 8)  // SQLITE_READONLY
        }
    }

    @Test("a read sees the snapshot of its start, not a write committed while it runs")
    func readSnapshot() async throws {
        try await withDatabase(SQLiteDatabase.Configuration(readerCount: 2)) { database, _ in
            try await database.write { connection in
                try connection.execute(Self.counterSchema + "CREATE TABLE log (entry INTEGER);")
            }
            let started = Signal()
            let committed = Signal()
            async let seen = database.read { connection -> (Int64, Int64) in
                started.raise()
                // Nothing is read before the other write commits: the snapshot must already be taken.
                guard committed.waitBlocking() else { throw TestFailure(reason: "the write never committed") }
                let n = try Self.counter(connection)
                let entries = try #require(try connection.queryOne("SELECT count(*) FROM log") { try $0.int64(0) })
                return (n, entries)
            }
            #expect(try await started.wait())
            try await database.write { connection in
                try connection.run("UPDATE counter SET n = 1")
                try connection.run("INSERT INTO log VALUES (1)")
            }
            committed.raise()
            let (n, entries) = try await seen
            #expect(n == 0)
            #expect(entries == 0)
            #expect(try await database.read { try Self.counter($0) } == 1)
        }
    }

    @Test("concurrent read-modify-write increments lose no update and never see BUSY")
    func concurrentIncrements() async throws {
        try await withDatabase { database, _ in
            try await database.write { try $0.execute(Self.counterSchema) }
            let tasks = 8
            let increments = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        for _ in 0..<increments {
                            try await database.write { connection in
                                let n = try Self.counter(connection)
                                try connection.run("UPDATE counter SET n = ? WHERE id = 1", [.integer(n + 1)])
                            }
                        }
                    }
                }
                // Readers alongside: each sees a committed value, never a decreasing one.
                group.addTask {
                    var last: Int64 = 0
                    while last < Int64(tasks * increments) {
                        let n = try await database.read { try Self.counter($0) }
                        #expect(n >= last)
                        last = n
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await database.read { try Self.counter($0) } == Int64(tasks * increments))
        }
    }

    @Test("write waits for another connection's write lock and succeeds once it is released")
    func waitsForExternalWriter() async throws {
        try await withDatabase(SQLiteDatabase.Configuration(busyTimeout: .seconds(10))) { database, directory in
            try await database.write { try $0.execute(Self.counterSchema) }
            let other = try SQLiteConnection(path: directory.file("test.sqlite"), mode: .readWrite)
            try other.execute("BEGIN IMMEDIATE")
            async let written: Void = database.write { connection in
                try connection.run("UPDATE counter SET n = n + 1")
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await database.read { try Self.counter($0) } == 0)
            try other.execute("COMMIT")
            try await written
            #expect(try await database.read { try Self.counter($0) } == 1)
        }
    }

    @Test("write reports BUSY only after the busy timeout when the lock is never released")
    func busyAfterTimeout() async throws {
        let timeout = Duration.milliseconds(300)
        try await withDatabase(SQLiteDatabase.Configuration(busyTimeout: timeout)) { database, directory in
            try await database.write { try $0.execute(Self.counterSchema) }
            let other = try SQLiteConnection(path: directory.file("test.sqlite"), mode: .readWrite)
            try other.execute("BEGIN IMMEDIATE")
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: SQLiteError.self) {
                try await database.write { try $0.run("UPDATE counter SET n = n + 1") }
            }
            let waited = clock.now - start
            #expect(error?.isBusy == true)
            #expect(waited >= timeout - .milliseconds(20))
            // Bounded, not hanging; loose, since a busy parallel test run can delay the reply.
            #expect(waited < timeout * 20)
            try other.execute("ROLLBACK")
            try await database.write { try $0.run("UPDATE counter SET n = n + 1") }
            #expect(try await database.read { try Self.counter($0) } == 1)
        }
    }

    @Test("the writer and every reader run WAL, synchronous FULL and foreign keys")
    func pragmas() async throws {
        try await withDatabase(SQLiteDatabase.Configuration(readerCount: 3)) { database, _ in
            @Sendable func settings(_ connection: SQLiteConnection) throws -> [String] {
                [
                    try #require(try connection.queryOne("PRAGMA journal_mode") { try $0.text(0) }),
                    String(try #require(try connection.queryOne("PRAGMA synchronous") { try $0.int64(0) })),
                    String(try #require(try connection.queryOne("PRAGMA foreign_keys") { try $0.int64(0) })),
                ]
            }
            #expect(try await database.write(settings) == ["wal", "2", "1"])
            // Hold every reader at once so that each of them answers.
            let arrived = Counter()
            let readers = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await database.read { connection in
                            arrived.increment()
                            guard arrived.wait(until: 3) else { throw TestFailure(reason: "readers did not run together") }
                            return try settings(connection)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(readers == Array(repeating: ["wal", "2", "1"], count: 3))
        }
    }

    @Test("foreign keys are enforced in writes")
    func foreignKeysEnforced() async throws {
        try await withDatabase { database, _ in
            try await database.write { connection in
                try connection.execute("""
                    CREATE TABLE parent (id INTEGER PRIMARY KEY);
                    CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));
                    """)
            }
            let error = await #expect(throws: SQLiteError.self) {
                try await database.write { try $0.run("INSERT INTO child VALUES (7)") }
            }
            #expect(error?.isForeignKeyConstraint == true)
        }
    }

    @Test("after close every call fails with closed, and close can be repeated")
    func closed() async throws {
        try await withTemporaryDirectory { directory in
            let database = try await SQLiteDatabase(path: directory.file("test.sqlite"))
            try await database.write { try $0.execute("CREATE TABLE t (x)") }
            await database.close()
            let write = await #expect(throws: SQLiteError.self) { try await database.write { try $0.run("INSERT INTO t VALUES (1)") } }
            #expect(write?.code == .closed)
            let read = await #expect(throws: SQLiteError.self) { try await database.read { _ in 1 } }
            #expect(read?.code == .closed)
            let check = await #expect(throws: SQLiteError.self) { try await database.integrityCheck() }
            #expect(check?.code == .closed)
            let checkpoint = await #expect(throws: SQLiteError.self) { try await database.checkpoint() }
            #expect(checkpoint?.code == .closed)
            let migrate = await #expect(throws: SQLiteError.self) { try await database.migrate([]) }
            #expect(migrate?.code == .closed)
            await database.close()
            // Every connection is closed: the last one checkpointed the WAL and removed it.
            #expect(!directory.exists("test.sqlite-wal"))
        }
    }

    @Test("close lets the write in progress finish")
    func closeFinishesQueuedWork() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("test.sqlite")
            let database = try await SQLiteDatabase(path: path)
            try await database.write { try $0.execute(Self.counterSchema) }
            let started = Signal()
            async let written: Void = database.write { connection in
                started.raise()
                usleep(200_000)
                try connection.run("UPDATE counter SET n = 5")
            }
            #expect(try await started.wait())
            await database.close()
            try await written
            let reopened = try SQLiteConnection(path: path, mode: .readOnly)
            #expect(try Self.counter(reopened) == 5)
        }
    }

    @Test("dropping the database without close still ends its threads and closes its files")
    func deinitCloses() async throws {
        try await withTemporaryDirectory { directory in
            var database: SQLiteDatabase? = try await SQLiteDatabase(path: directory.file("test.sqlite"))
            try await database?.write { try $0.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1);") }
            #expect(directory.exists("test.sqlite-wal"))
            database = nil
            #expect(!directory.exists("test.sqlite-wal"))
            let reopened = try await SQLiteDatabase(path: directory.file("test.sqlite"))
            #expect(try await reopened.read { try $0.queryOne("SELECT x FROM t") { try $0.int64(0) } } == 1)
            await reopened.close()
        }
    }

    @Test("opening fails cleanly on a missing directory or a file that is no database")
    func openFailures() async throws {
        try await withTemporaryDirectory { directory in
            let missing = await #expect(throws: SQLiteError.self) {
                try await SQLiteDatabase(path: directory.file("no/such/dir.sqlite"))
            }
            #expect(missing?.primaryResultCode == 14)  // SQLITE_CANTOPEN
            try directory.write(Array("definitely not a database, just some text".utf8) + Array(repeating: 0, count: 200), to: "junk.sqlite")
            let junk = await #expect(throws: SQLiteError.self) {
                try await SQLiteDatabase(path: directory.file("junk.sqlite"))
            }
            #expect(junk?.isCorrupt == true)
        }
    }

    @Test("integrityCheck reports ok and checkpoint empties the WAL")
    func maintenance() async throws {
        try await withDatabase { database, directory in
            try await database.write { connection in
                try connection.execute("CREATE TABLE t (x)")
                for value in 0..<100 { try connection.run("INSERT INTO t VALUES (?)", [.integer(Int64(value))]) }
            }
            #expect(try await database.integrityCheck() == ["ok"])
            #expect((directory.size("test.sqlite-wal") ?? 0) > 0)
            #expect(try await database.checkpoint())
            #expect(directory.size("test.sqlite-wal") == 0)
            #expect(try await database.read { try $0.queryOne("SELECT count(*) FROM t") { try $0.int64(0) } } == 100)
        }
    }
}

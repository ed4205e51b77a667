// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite tests

import Glibc
import SQLite
import Synchronization

/// A fresh directory for one test's database files.
struct TemporaryDirectory: Sendable {
    let path: String

    /// The path of a file named `name` inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// Whether a file named `name` exists in the directory.
    func exists(_ name: String) -> Bool { access(file(name), F_OK) == 0 }

    /// The size in bytes of a file in the directory, or nil when it does not exist.
    func size(_ name: String) -> Int? {
        var info = stat()
        guard stat(file(name), &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// Writes `bytes` to a new file named `name`.
    func write(_ bytes: [UInt8], to name: String) throws {
        let descriptor = open(file(name), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw SystemError(operation: "open", code: errno) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw SystemError(operation: "write", code: errno) }
    }
}

struct SystemError: Error, CustomStringConvertible {
    let operation: String
    let code: Int32
    var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

/// Runs `body` with a fresh directory under `$TMPDIR` (or /tmp), removed with its files afterwards.
func withTemporaryDirectory<R>(_ body: (TemporaryDirectory) async throws -> R) async throws -> R {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array((base + "/sqlite-tests-XXXXXX").utf8CString)
    guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw SystemError(operation: "mkdtemp", code: errno)
    }
    let directory = TemporaryDirectory(path: String(cString: created))
    defer { removeDirectory(directory.path) }
    return try await body(directory)
}

/// Runs `body` with a database in a fresh directory and closes it afterwards.
func withDatabase<R>(
    _ configuration: SQLiteDatabase.Configuration = SQLiteDatabase.Configuration(),
    _ body: (SQLiteDatabase, TemporaryDirectory) async throws -> R
) async throws -> R {
    try await withTemporaryDirectory { directory in
        let database = try await SQLiteDatabase(path: directory.file("test.sqlite"), configuration: configuration)
        do {
            let result = try await body(database, directory)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }
}

/// Removes a directory of plain files (a database, its WAL and shared-memory files).
private func removeDirectory(_ path: String) {
    if let directory = opendir(path) {
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(directory)
    }
    rmdir(path)
}

/// A flag one side raises and the other waits for, from a storage thread or from a task.
final class Signal: Sendable {
    private let raised = Atomic<Bool>(false)

    func raise() { raised.store(true, ordering: .releasing) }

    var isRaised: Bool { raised.load(ordering: .acquiring) }

    /// Blocks the calling (storage) thread until raised; false after `timeout`.
    func waitBlocking(timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !isRaised {
            if ContinuousClock.now >= deadline { return false }
            usleep(1000)
        }
        return true
    }

    /// Suspends the calling task until raised; false after `timeout`.
    func wait(timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !isRaised {
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}

/// An error of the test's own, to tell apart from the database's.
struct TestFailure: Error, Equatable {
    let reason: String
}

/// A count storage threads raise and wait on, to hold several of them inside their closures at once.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    func increment() { value.add(1, ordering: .acquiringAndReleasing) }

    /// Blocks the calling (storage) thread until the count reaches `target`; false after `timeout`.
    func wait(until target: Int, timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while value.load(ordering: .acquiring) < target {
            if ContinuousClock.now >= deadline { return false }
            usleep(1000)
        }
        return true
    }
}

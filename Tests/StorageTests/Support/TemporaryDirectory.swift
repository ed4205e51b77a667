// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain
import Glibc
import SQLite
import Storage
import Testing

/// A fresh directory for one test's database files, removed with them afterwards.
struct TemporaryDirectory: Sendable {
    let path: String

    /// The path of a file named `name` inside the directory.
    func file(_ name: String) -> String { path + "/" + name }
}

struct SystemError: Error, CustomStringConvertible {
    let operation: String
    let code: Int32
    var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

/// Runs `body` with a fresh directory under `$TMPDIR` (or /tmp), removed with its files afterwards.
@discardableResult
func withTemporaryDirectory<R>(_ body: (TemporaryDirectory) async throws -> R) async throws -> R {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array((base + "/storage-tests-XXXXXX").utf8CString)
    guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw SystemError(operation: "mkdtemp", code: errno)
    }
    let directory = TemporaryDirectory(path: String(cString: created))
    defer { removeDirectory(directory.path) }
    return try await body(directory)
}

/// Runs `body` with a store over a new file in a fresh directory and closes it afterwards.
@discardableResult
func withStore<R>(
    readers: Int = 2, _ body: (SQLiteDataStore, TemporaryDirectory) async throws -> R
) async throws -> R {
    try await withTemporaryDirectory { directory in
        let store = try await SQLiteDataStore(path: directory.file("store.sqlite"), readers: readers)
        do {
            let result = try await body(store, directory)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

/// Runs `body` with a store that already holds `World`'s objects.
@discardableResult
func withWorld<R>(_ body: (SQLiteDataStore) async throws -> R) async throws -> R {
    try await withStore { store, _ in
        try await store.write { try World.insert(into: $0) }
        return try await body(store)
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

/// An error of the test's own, to tell apart from the store's.
struct TestFailure: Error, Equatable {
    let reason: String
}

/// Expects `DomainError` of `kind` from `body` and returns it.
@discardableResult
func expectDomainError(
    _ kind: DomainError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> DomainError? {
    let error = await #expect(throws: DomainError.self, sourceLocation: sourceLocation) { try await body() }
    #expect(error?.kind == kind, "\(error.map(String.init(describing:)) ?? "no error")", sourceLocation: sourceLocation)
    return error
}

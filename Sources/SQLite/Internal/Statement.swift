// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import CSQLite

/// One prepared statement: the only owner of its `sqlite3_stmt`, finalized exactly once, in deinit.
///
/// A class rather than a `~Copyable` struct because the statement cache keeps statements in a
/// dictionary. It never leaves its connection, and the connection empties its cache before it
/// closes, so no statement outlives the handle it was prepared on.
final class Statement {
    let handle: OpaquePointer
    /// The SQL text, which is also the cache key.
    let sql: String
    /// Whether a call is stepping this statement now; a nested use of the same SQL prepares another.
    var isInUse = false
    /// The statement cache's clock at the last use, for least-recently-used eviction.
    var lastUse: UInt64 = 0

    init(takingOwnership handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds `values` to the parameters in order; the count must match exactly, so a forgotten
    /// value is an error rather than a silent NULL.
    func bind(_ values: [SQLiteValue]) throws {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw SQLiteError(
                code: .bindingCountMismatch,
                resultCode: SQLITE_RANGE,
                message: "the statement has \(expected) parameters but \(values.count) values were given"
            )
        }
        for (offset, value) in values.enumerated() {
            let position = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null:
                result = sqlite3_bind_null(handle, position)
            case .integer(let integer):
                result = sqlite3_bind_int64(handle, position, integer)
            case .real(let real):
                result = sqlite3_bind_double(handle, position, real)
            case .text(let text):
                var text = text
                result = text.withUTF8 { bytes in
                    // A NULL pointer would bind NULL, so empty text gets a real (empty) C string.
                    guard let base = bytes.baseAddress, !bytes.isEmpty else {
                        return sqlite3_bind_text64(handle, position, "", 0, csqlite_transient(), UInt8(SQLITE_UTF8))
                    }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text64(
                            handle, position, $0, UInt64(bytes.count), csqlite_transient(), UInt8(SQLITE_UTF8)
                        )
                    }
                }
            case .blob(let bytes):
                // A NULL pointer would bind NULL, so an empty blob is a zero-length zeroblob.
                if bytes.isEmpty {
                    result = sqlite3_bind_zeroblob(handle, position, 0)
                } else {
                    result = bytes.withUnsafeBytes {
                        sqlite3_bind_blob64(handle, position, $0.baseAddress, UInt64($0.count), csqlite_transient())
                    }
                }
            }
            guard result == SQLITE_OK else {
                throw SQLiteError(resultCode: result, connection: sqlite3_db_handle(handle))
            }
        }
    }

    /// Steps once: true when a row is ready, false when the statement is done.
    func step() throws -> Bool {
        let result = sqlite3_step(handle)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(resultCode: result, connection: sqlite3_db_handle(handle))
        }
    }

    /// Makes the statement ready for its next use: resets it (which ends its hold on the read
    /// snapshot outside a transaction) and drops its bindings (which may hold large values).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
}

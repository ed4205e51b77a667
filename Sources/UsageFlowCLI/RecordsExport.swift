// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Contracts
import Domain
import Glibc
import ProtoDynamic
import ProtoWire
import RPCCore
import RPCHTTP2Transport
import UsageIngest
import WellKnownTypes

/// One run of `usageflow <role> records export`: the stream read batch by batch, each batch
/// written to the output and then recorded in the cursor file, with progress on standard error.
///
/// Memory stays bounded by one batch: rows go to the file as each batch arrives, and the next
/// batch is only read once this one is written, so a slow disk slows the server's reads (through
/// HTTP/2 flow control) rather than filling memory.
struct RecordsExport {
    let role: String
    let format: ExportCommand.Format
    let out: String?
    let resume: Bool
    var request: Usageflow_V1_ExportRecordsRequest
    let method: DynamicMethod
    let options: ClientOptions
    let interactive: Bool

    /// The flat columns of a CSV or XLSX export, in order.
    static let columns = [
        "record_id", "file_id", "position", "status", "item_id", "item_local_id", "item_mpn", "item_name", "item_type",
        "item_precision", "item_unit", "quantity", "amount", "tier", "start_time_utc", "end_time_utc", "category_id",
        "asset_recon_id", "record_note", "record_parameters", "subscription_id", "subscription_external_id",
        "subscription_external_uid", "reconciliation_id", "subscription_parameters", "subscription_status",
        "customer_id", "customer_name", "customer_external_id", "tier1_id", "tier1_name", "tier2_id", "tier2_name",
        "vendor_id", "distributor_id", "product_id", "marketplace_id", "contract_id", "currency", "period_from",
        "period_to", "external_billing_id", "external_billing_note", "closed_at", "reseller_billing_id",
        "reseller_billing_note", "reseller_billed_at",
    ]
    static let numericColumns: Set<String> = ["position", "quantity", "amount", "tier"]

    var cursorPath: String? { out.map { $0 + ".cursor" } }
    /// Where rows go: the output itself, or for XLSX the spool the workbook is written from.
    var dataPath: String? { out.map { format == .xlsx ? $0 + ".rows" : $0 } }

    func run() async -> Int32 {
        var state = SavedCursor(cursor: "", length: 0, records: 0)
        if resume {
            guard let cursorPath, let saved = SavedCursor.read(cursorPath) else {
                Console.error(
                    "usageflow: no saved cursor at \(cursorPath ?? "?"): the export finished, or never started; "
                        + "run it again without --resume\n")
                return 2
            }
            state = saved
        }
        var request = self.request
        request.cursor = state.cursor

        let fd: Int32
        if let dataPath {
            fd = resume ? open(dataPath, O_WRONLY | O_CLOEXEC) : open(dataPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                Console.error("usageflow: cannot write \(dataPath): \(String(cString: strerror(errno)))\n")
                return 1
            }
            if resume {
                // Drop whatever a batch wrote after its cursor was last saved: it comes again.
                guard ftruncate(fd, off_t(state.length)) == 0, lseek(fd, 0, SEEK_END) >= 0 else {
                    Console.error("usageflow: cannot resume \(dataPath): \(String(cString: strerror(errno)))\n")
                    close(fd)
                    return 1
                }
            }
        } else {
            fd = 1
        }
        defer { if fd != 1 { close(fd) } }
        var output = RowOutput(fd: fd, written: state.length)
        if !resume {
            switch format {
            case .csv: output.append(csvRow: Self.columns)
            case .xlsx, .jsonl: break
            }
            guard output.flush() else { return writeFailure() }
            state.length = output.written
        }
        guard case .message(let recordSchema)? = method.output.field(named: "records")?.kind else {
            Console.error("error: \(method.output.fullName) has no records\n")
            return 1
        }

        // The cursor is saved at most once a second, each time after the rows it counts are on
        // disk (fsync), so neither a kill nor a power loss leaves a cursor that points past the data.
        let clock = ContinuousClock()
        var savedAt: ContinuousClock.Instant?
        var unsaved = false
        func saveCursor() -> Bool {
            guard let cursorPath else { return true }
            if fd != 1 && fsync(fd) != 0 { return false }
            guard state.write(cursorPath) else { return false }
            savedAt = clock.now
            unsaved = false
            return true
        }

        guard let transport = await ClientRunner.connect(options) else { return 1 }
        defer { transport.close() }
        var progress = ExportProgress(interactive: interactive, startingAt: state.records)
        do {
            let call = try await transport.openCall(
                path: method.path, metadata: ClientRunner.metadata(options), timeout: options.timeout)
            try await call.send(request.serializedBytes())
            try await call.finishSending()
            while let bytes = try await call.receive() {
                let batch = try Usageflow_V1_ExportRecordsResponse(serializedBytes: bytes)
                for record in batch.records {
                    switch format {
                    case .csv: output.append(csvRow: Self.row(record))
                    case .xlsx: output.append(spoolRow: Self.row(record))
                    case .jsonl:
                        let message = try DynamicMessage(schema: recordSchema, serializedBytes: record.serializedBytes())
                        output.append(line: try message.jsonString(options: JSONEncodingOptions(pretty: false)))
                    }
                }
                guard output.flush() else {
                    call.cancel()
                    return writeFailure()
                }
                state = SavedCursor(
                    cursor: batch.cursor, length: output.written, records: state.records + batch.records.count)
                unsaved = true
                if savedAt.map({ clock.now - $0 >= .seconds(1) }) ?? true, !saveCursor() {
                    call.cancel()
                    Console.error("usageflow: cannot save the cursor to \(cursorPath ?? "")\n")
                    return 1
                }
                progress.update(total: state.records)
            }
            let (status, trailers) = try await call.status()
            guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
        } catch {
            progress.interrupted()
            if unsaved { _ = saveCursor() }
            let code = ClientRunner.report(error, options: options)
            if let out {
                Console.error("the export stopped after \(state.records) records; continue it with --resume --out \(out)\n")
            }
            return code
        }
        if format == .xlsx, let out, let dataPath {
            guard Self.writeWorkbook(spool: dataPath, to: out) else { return 1 }
            unlink(dataPath)
        }
        if let cursorPath { unlink(cursorPath) }
        progress.finish(total: state.records, out: out)
        return 0
    }

    private func writeFailure() -> Int32 {
        Console.error("usageflow: writing \(dataPath ?? "standard output") failed: \(String(cString: strerror(errno)))\n")
        return 1
    }

    // MARK: Rows

    /// One record's values for `columns`.
    static func row(_ exported: Usageflow_V1_ExportedRecord) -> [String] {
        let record = exported.record
        let item = exported.item
        let subscription = exported.subscription
        return [
            record.recordId, record.fileId, String(record.position), enumName(record.status.protoName, "USAGE_RECORD_STATUS_"),
            item.id, item.localId, item.mpn, item.name, enumName(item.type.protoName, "ITEM_TYPE_"),
            enumName(item.precision.protoName, "PRECISION_"), item.unit, record.quantity, record.amount,
            record.tier == 0 && record.amount.isEmpty ? "" : String(record.tier),
            record.hasStartTime ? time(record.startTime) : "", record.hasEndTime ? time(record.endTime) : "",
            record.categoryId, record.assetReconId, record.note,
            record.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ";"),
            subscription.id, subscription.externalId, subscription.externalUid, subscription.reconciliationId,
            subscription.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ";"),
            enumName(subscription.status.protoName, "SUBSCRIPTION_STATUS_"),
            exported.customer.id, exported.customer.name, exported.customer.externalId,
            exported.tier1.id, exported.tier1.name, exported.tier2.id, exported.tier2.name,
            exported.vendorId, exported.distributorId, exported.productId, exported.marketplaceId,
            exported.contractId, exported.currency, exported.periodFrom, exported.periodTo,
            record.externalBillingId, record.externalBillingNote, record.hasClosedAt ? time(record.closedAt) : "",
            exported.resellerBilling.externalBillingId, exported.resellerBilling.externalBillingNote,
            exported.hasResellerBilling ? time(exported.resellerBilling.billedAt) : "",
        ]
    }

    /// `PRECISION_DECIMAL2` → `decimal2`; empty for an unspecified value.
    static func enumName(_ name: String?, _ prefix: String) -> String {
        guard let name, name.hasPrefix(prefix) else { return "" }
        let short = name.dropFirst(prefix.count).lowercased()
        return short == "unspecified" ? "" : short
    }

    static func time(_ timestamp: Google_Protobuf_Timestamp) -> String {
        UsageTime.format(Timestamp(microsecondsSinceEpoch: timestamp.seconds * 1_000_000 + Int64(timestamp.nanos / 1000)))
    }

    /// Writes the workbook from a complete spool, reading it piece by piece.
    static func writeWorkbook(spool: String, to out: String) -> Bool {
        let fd = open(spool, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            Console.error("usageflow: cannot read \(spool): \(String(cString: strerror(errno)))\n")
            return false
        }
        defer { close(fd) }
        do {
            let writer = try UsageExportWriter(
                format: .xlsx, columns: columns, numeric: numericColumns, to: .file(path: out))
            var reader = SpoolReader(fd: fd)
            while let row = try reader.next() { try writer.appendRow(row) }
            _ = try writer.finish()
            return true
        } catch {
            Console.error("usageflow: writing \(out) failed: \(error)\n")
            return false
        }
    }
}

/// The cursor file: the last batch's cursor, the output's length after that batch, and how many
/// records it holds, one per line; replaced atomically (write, fsync, then rename).
struct SavedCursor {
    var cursor: String
    var length: Int
    var records: Int

    static func read(_ path: String) -> SavedCursor? {
        guard case .success(let bytes) = Console.readFile(path) else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, !lines[0].isEmpty, let length = Int(lines[1]), let records = Int(lines[2]) else {
            return nil
        }
        return SavedCursor(cursor: String(lines[0]), length: length, records: records)
    }

    func write(_ path: String) -> Bool {
        let temporary = path + ".tmp"
        let text = Array("\(cursor)\n\(length)\n\(records)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        let ok = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == text.count && fsync(fd) == 0
        close(fd)
        return ok && rename(temporary, path) == 0
    }
}

/// Rows encoded into a buffer and written to a file descriptor once per batch.
struct RowOutput {
    let fd: Int32
    /// Bytes of the output so far, including what a resumed export kept.
    private(set) var written: Int
    private var buffer: [UInt8] = []

    init(fd: Int32, written: Int) {
        self.fd = fd
        self.written = written
        buffer.reserveCapacity(1 << 20)
    }

    /// An RFC 4180 row: fields quoted when they hold a comma, quote or line break.
    mutating func append(csvRow fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            let utf8 = field.utf8
            if utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) {
                buffer.append(UInt8(ascii: "\""))
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") { buffer.append(byte) }
                    buffer.append(byte)
                }
                buffer.append(UInt8(ascii: "\""))
            } else {
                buffer.append(contentsOf: utf8)
            }
        }
        buffer.append(contentsOf: [13, 10])
    }

    /// A spool row: each field as its byte count, `:` and its bytes; a newline ends the row.
    mutating func append(spoolRow fields: [String]) {
        for field in fields {
            buffer.append(contentsOf: String(field.utf8.count).utf8)
            buffer.append(UInt8(ascii: ":"))
            buffer.append(contentsOf: field.utf8)
        }
        buffer.append(10)
    }

    mutating func append(line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(10)
    }

    /// Writes the buffer out; false (with `errno` set) when the write failed.
    mutating func flush() -> Bool {
        var offset = 0
        while offset < buffer.count {
            let count = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += count
        }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
        return true
    }
}

/// Reads spool rows back, 64 KiB at a time.
struct SpoolReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String { "the row spool is damaged; run the export again without --resume" }
    }

    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(fd: Int32) {
        self.fd = fd
    }

    mutating func next() throws -> [String]? {
        var fields: [String] = []
        while true {
            guard try ensure(1) else {
                if fields.isEmpty { return nil }
                throw Malformed()
            }
            if buffer[start] == 10 {
                start += 1
                return fields
            }
            var length = 0
            while true {
                guard try ensure(1) else { throw Malformed() }
                let byte = buffer[start]
                start += 1
                if byte == UInt8(ascii: ":") { break }
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), length < 1 << 40 else { throw Malformed() }
                length = length * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard try ensure(length) else { throw Malformed() }
            fields.append(String(decoding: buffer[start..<start + length], as: UTF8.self))
            start += length
        }
    }

    /// Whether `count` bytes are buffered, reading more as needed.
    private mutating func ensure(_ count: Int) throws -> Bool {
        while buffer.count - start < count {
            if atEnd { return false }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: max(65_536, count))
            let read = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if read < 0 {
                if errno == EINTR { continue }
                throw Malformed()
            }
            if read == 0 {
                atEnd = true
            } else {
                buffer.append(contentsOf: chunk[0..<read])
            }
        }
        return true
    }
}

/// Progress on standard error: records so far and the rate, as one updating line on a terminal
/// or a plain line at most every second otherwise.
struct ExportProgress {
    let interactive: Bool
    private let started = ContinuousClock.now
    private var lastShown = ContinuousClock.now
    private let initial: Int

    init(interactive: Bool, startingAt initial: Int) {
        self.interactive = interactive
        self.initial = initial
    }

    mutating func update(total: Int) {
        let now = ContinuousClock.now
        guard now - lastShown >= (interactive ? .milliseconds(200) : .seconds(1)) else { return }
        lastShown = now
        let line = "\(total) records, \(rate(total - initial)) records/s"
        Console.error(interactive ? "\r\u{1B}[K" + line : line + "\n")
    }

    func interrupted() {
        if interactive { Console.error("\n") }
    }

    func finish(total: Int, out: String?) {
        let tenths = milliseconds(ContinuousClock.now - started) / 100
        let line = "exported \(total) records in \(tenths / 10).\(tenths % 10) s (\(rate(total - initial)) records/s)"
            + (out.map { " to \($0)" } ?? "")
        Console.error((interactive ? "\r\u{1B}[K" : "") + line + "\n")
    }

    /// Records per second, in whole records.
    private func rate(_ records: Int) -> Int {
        let elapsed = milliseconds(ContinuousClock.now - started)
        return elapsed > 0 ? Int(Int64(records) * 1000 / elapsed) : records
    }

    private func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

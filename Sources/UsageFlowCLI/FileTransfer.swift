// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Glibc
import ProtoDynamic
import RPCCore
import RPCHTTP2Transport

/// Streams a spreadsheet to an upload RPC and a downloaded file to disk, a piece at a time, so
/// neither side holds a large file whole.
///
/// The messages are built from the method's schema like every other command; what this type
/// knows is the shape the upload and download RPCs share: a header message with the file id and
/// format followed by `chunk` messages, and replies of `data` pieces with a file name first.
enum FileTransfer {
    /// Bytes per upload message: large enough that framing costs nothing, well under the 4 MiB
    /// message limit, small enough that the progress display moves.
    static let chunkSize = 256 * 1024

    /// Sends the file at `path` after a header naming the usage file and format; prints the
    /// processed file the server answers and a summary line. Returns the exit status.
    static func upload(
        fileID: String, path: String, format: String, invocation: ClientInvocation, showProgress: Bool?
    ) async -> Int32 {
        await send(fileID: fileID, path: path, format: format, invocation: invocation, showProgress: showProgress) {
            file, progress, _ in
            progress.finish(records: counts(file)?.uploaded, status: statusName(file) ?? "done")
            Console.out(ClientRunner.render(file, json: invocation.options.json))
            return 0
        }
    }

    /// Sends the file at `path` to a client-streaming upload RPC (`invocation`'s method: a
    /// `header` with `file_id` and `format`, then `chunk` bytes), with the progress display; then
    /// hands the decoded reply, the progress display and the still open connection (for follow-up
    /// calls) to `answered`, whose result is the exit status. A refusal or a broken transfer is
    /// reported here.
    static func send(
        fileID: String, path: String, format: String, invocation: ClientInvocation, showProgress: Bool?,
        answered: (DynamicMessage, inout UploadProgress, HTTP2ClientTransport) async -> Int32
    ) async -> Int32 {
        let options = invocation.options
        let method = invocation.method
        var header = DynamicMessage(schema: method.input)
        do {
            try header.set(path: "header.file_id", text: fileID)
            try header.set(path: "header.format", text: format)
        } catch {
            Console.error("usageflow: \(error.message)\n")
            return 2
        }
        guard let chunkField = method.input.field(named: "chunk") else {
            Console.error("error: \(method.input.fullName) has no chunk field\n")
            return 1
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            Console.error("usageflow: cannot read \(path): \(String(cString: strerror(errno)))\n")
            return 2
        }
        defer { close(fd) }
        var info = stat()
        let total: Int? = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
        if options.dryRun {
            Console.out((try? header.jsonString(options: JSONEncodingOptions(pretty: true))) ?? "{}")
            let size = total.map(UploadProgress.size) ?? "the file's bytes"
            Console.out("\n(then \(size) in chunks of at most \(UploadProgress.size(chunkSize)))\n")
            return 0
        }

        guard let transport = await ClientRunner.connect(options) else { return 1 }
        defer { transport.close() }
        let interactive = showProgress ?? (isatty(2) == 1)
        var progress = UploadProgress(total: total, interactive: interactive) { Console.error($0) }
        let reply: [UInt8]?
        do {
            let call = try await transport.openCall(
                path: method.path, metadata: ClientRunner.metadata(options), timeout: options.timeout)
            try await call.send(header.serializedBytes())
            var buffer = [UInt8](repeating: 0, count: chunkSize)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    call.cancel()
                    Console.error("\nerror: reading \(path) failed: \(reason); the upload was cancelled\n")
                    return 1
                }
                if count == 0 { break }
                var message = DynamicMessage(schema: method.input)
                try message.set(chunkField, to: .bytes(Array(buffer[0..<count])))
                try await call.send(message.serializedBytes())
                progress.advance(by: count)
            }
            try await call.finishSending()
            progress.finishSending()
            var last: [UInt8]?
            while let message = try await call.receive() { last = message }
            let (status, trailers) = try await call.status()
            guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
            reply = last
        } catch {
            if interactive { Console.error("\n") }
            return ClientRunner.report(error, options: options)
        }

        guard let reply, let answer = try? DynamicMessage(schema: method.output, serializedBytes: reply) else {
            Console.error("error: INTERNAL: the server's reply is not a \(method.output.fullName)\n")
            return 1
        }
        return await answered(answer, &progress, transport)
    }

    /// Calls a server-streaming download RPC and writes the pieces to `out` (`-` for standard
    /// output; nil for the server's file name in the current directory). Writes to a temporary
    /// name first, so a failed download never leaves a partial file under the real one.
    static func download(_ invocation: ClientInvocation, out: String?) async -> Int32 {
        let options = invocation.options
        if options.dryRun { return await ClientRunner.run(invocation) }
        let method = invocation.method
        guard let dataField = method.output.field(named: "data") else {
            Console.error("error: \(method.output.fullName) has no data field\n")
            return 1
        }
        guard let transport = await ClientRunner.connect(options) else { return 1 }
        defer { transport.close() }

        var sink: DownloadSink?
        do {
            let call = try await transport.openCall(
                path: method.path, metadata: ClientRunner.metadata(options), timeout: options.timeout)
            try await call.send(invocation.request.serializedBytes())
            try await call.finishSending()
            while let bytes = try await call.receive() {
                let piece = try DynamicMessage(schema: method.output, serializedBytes: bytes)
                if sink == nil {
                    let suggested = piece["file_name"]?.stringValue ?? ""
                    guard let target = out ?? safeFileName(suggested) else {
                        call.cancel()
                        Console.error("usageflow: the server named no file; give --out PATH\n")
                        return 2
                    }
                    sink = try DownloadSink(path: target)
                }
                if case .bytes(let data)? = piece.valueIfPresent(dataField) { try sink?.write(data) }
            }
            let (status, trailers) = try await call.status()
            guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
            if sink == nil {
                guard let target = out else {
                    Console.error("error: the server sent nothing\n")
                    return 1
                }
                sink = try DownloadSink(path: target)
            }
            try sink?.commit()
        } catch let error as DownloadSink.Failure {
            sink?.discard()
            Console.error("error: \(error.message)\n")
            return 1
        } catch {
            sink?.discard()
            return ClientRunner.report(error, options: options)
        }
        if let sink, sink.path != "-" {
            Console.error("wrote \(sink.path) (\(UploadProgress.size(sink.written)))\n")
        }
        return 0
    }

    /// The format named by `--format`, or by the file's extension.
    static func format(path: String, flag: String?) throws(CommandFailure) -> String {
        if let flag {
            let lower = flag.lowercased()
            guard lower == "xlsx" || lower == "csv" else {
                throw .usage("--format: expected xlsx or csv, got \"\(flag)\"")
            }
            return lower
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".xlsx") { return "xlsx" }
        if lower.hasSuffix(".csv") { return "csv" }
        throw .usage("cannot tell the format of \(path) from its name; add --format xlsx or --format csv")
    }

    /// The server's suggested name without any directory part, or nil when nothing is left.
    private static func safeFileName(_ name: String) -> String? {
        let base = name.split(separator: "/").last.map(String.init) ?? ""
        return base.isEmpty || base == "." || base == ".." ? nil : base
    }

    private static func statusName(_ file: DynamicMessage) -> String? {
        guard let field = file.schema.field(named: "status"), case .enumeration(let schema) = field.kind,
            let number = file.valueIfPresent(field)?.integerValue, let name = schema.name(for: Int32(number))
        else { return nil }
        return HelpText.shortName(name, of: schema)
    }

    private static func counts(_ file: DynamicMessage) -> (uploaded: Int64, valid: Int64, invalid: Int64)? {
        guard let counts = file["counts"]?.messageValue else { return nil }
        return (counts["uploaded"]?.integerValue ?? 0, counts["valid"]?.integerValue ?? 0,
                counts["invalid"]?.integerValue ?? 0)
    }
}

extension FileTransfer {
    /// A file being downloaded: written under a temporary name and renamed into place at the end.
    final class DownloadSink {
        struct Failure: Error {
            let message: String
        }

        let path: String
        private let temporary: String
        private let fd: Int32
        private var isOpen = true
        private(set) var written = 0

        init(path: String) throws(Failure) {
            self.path = path
            if path == "-" {
                temporary = path
                fd = 1
                return
            }
            temporary = path + ".part"
            fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw Failure(message: "cannot write \(temporary): \(String(cString: strerror(errno)))")
            }
        }

        func write(_ bytes: [UInt8]) throws(Failure) {
            var offset = 0
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw Failure(message: "cannot write \(temporary): \(String(cString: strerror(errno)))")
                }
                offset += count
            }
            written += bytes.count
        }

        /// Flushes the file to disk and gives it its real name.
        func commit() throws(Failure) {
            guard fd != 1, isOpen else { return }
            isOpen = false
            let synced = fsync(fd) == 0
            close(fd)
            guard synced, rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw Failure(message: "cannot write \(path): \(reason)")
            }
        }

        /// Removes the partial file after a failure.
        func discard() {
            guard fd != 1, isOpen else { return }
            isOpen = false
            close(fd)
            unlink(temporary)
        }
    }
}

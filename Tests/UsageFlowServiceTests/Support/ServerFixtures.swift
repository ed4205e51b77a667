// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Foundation
import Synchronization
import Testing
import UsageFlowServer

// Fixtures for the server and CLI tests: the built `usageflow` executable run as a child process,
// temporary directories, and a log that collects its lines.

/// What one run of the `usageflow` executable produced.
struct CLIResult: CustomStringConvertible {
    let status: Int32
    let standardOutput: String
    let standardError: String

    var description: String { "exit \(status)\n--- stdout\n\(standardOutput)--- stderr\n\(standardError)" }
}

enum ServerFixtures {
    /// The `usageflow` executable built next to the test bundle (`swift build --build-tests`
    /// builds every product), or `USAGEFLOW_BIN`.
    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["USAGEFLOW_BIN"], !path.isEmpty { return path }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // Inside a bundle directory (`….xctest/…`) on some layouts: walk up to the bin directory.
        while directory.path.contains(".xctest") { directory.deleteLastPathComponent() }
        let candidate = directory.appendingPathComponent("usageflow").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw FixtureError("the usageflow executable is not at \(candidate); build it (swift build --build-tests) or set USAGEFLOW_BIN")
        }
        return candidate
    }

    /// Runs `usageflow` with `arguments` and only `environment` (plus PATH), and waits for it.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], standardInput: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> CLIResult {
        let process = try start(arguments, environment: environment, standardInput: standardInput)
        let status = try await process.wait(timeout: timeout)
        return CLIResult(status: status, standardOutput: process.output(), standardError: process.errors())
    }

    /// Starts `usageflow` without waiting; its output goes to files the caller can read while it runs.
    static func start(
        _ arguments: [String], environment: [String: String] = [:], standardInput: String? = nil
    ) throws -> RunningCLI {
        try RunningCLI(binary: binary(), arguments: arguments, environment: environment, standardInput: standardInput)
    }

    /// A fresh directory, removed when `body` returns.
    static func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = NSTemporaryDirectory() + "usageflow-server-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    /// Every bearer token in a text.
    static func tokens(in text: String) -> [String] {
        let pattern = /KEY-\d{4}-\d{4}\.[A-Za-z0-9_-]{43}/
        return text.matches(of: pattern).map { String($0.output) }
    }
}

/// A `usageflow` child process with its output in temporary files.
///
/// @unchecked Sendable: `Process` is thread-safe for what is used here (`isRunning`,
/// `processIdentifier`, `terminate`), and every other property is immutable.
final class RunningCLI: @unchecked Sendable {
    private let process: Process
    private let outputPath: String
    private let errorPath: String
    private let exited: AsyncStream<Int32>
    private let directory: String

    init(binary: String, arguments: [String], environment: [String: String], standardInput: String?) throws {
        directory = NSTemporaryDirectory() + "usageflow-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        outputPath = directory + "/stdout"
        errorPath = directory + "/stderr"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var childEnvironment = environment
        childEnvironment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        process.environment = childEnvironment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        if let standardInput {
            let inputPath = directory + "/stdin"
            _ = FileManager.default.createFile(atPath: inputPath, contents: Data(standardInput.utf8))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
        exited = stream
        process.terminationHandler = { finished in
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        self.process = process
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Waits for the exit status; kills the process and fails after `timeout`.
    func wait(timeout: Duration) async throws -> Int32 {
        let exited = self.exited
        let status = try await withThrowingTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await status in exited { return status }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let status else {
            process.terminate()
            throw FixtureError("usageflow did not exit within \(timeout)\n\(errors())")
        }
        return status
    }

    /// Sends a signal (SIGTERM, SIGINT).
    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    func output() -> String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    func errors() -> String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Polls standard error until a line contains `text`, returning that line.
    func waitForErrorLine(containing text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitForLine(containing: text, in: errors, timeout: timeout)
    }

    /// Polls standard output until a line contains `text`, returning that line.
    func waitForOutputLine(containing text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitForLine(containing: text, in: output, timeout: timeout)
    }

    private func waitForLine(containing text: String, in read: () -> String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = read().split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FixtureError("no line containing \(text):\n--- stdout\n\(output())--- stderr\n\(errors())")
    }
}

/// A log sink that keeps every line, for assertions.
final class CollectedLog: Sendable {
    private let lines = Mutex<[String]>([])

    var log: EventLog { eventLog(level: .debug) }

    func eventLog(level: LogLevel) -> EventLog {
        EventLog(level: level) { line in self.lines.withLock { $0.append(line) } }
    }

    var all: [String] { lines.withLock { $0 } }

    /// The lines as JSON objects.
    func objects() throws -> [[String: Any]] {
        try all.map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw FixtureError("log line is not a JSON object: \(line)")
            }
            return object
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

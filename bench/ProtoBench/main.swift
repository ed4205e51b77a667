// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Swift (ProtoWire) side of the protobuf codec benchmark; bench/protobuf/run.sh runs it
// next to the C++ libprotobuf one (bench/protobuf-cpp/bench.cc) and prints the ratios.
//
//   ProtoBench --input bench/out/records.bin [--rounds 11] [--round-ms 100]
//              [--write-reencoded bench/out/records.swift.bin] [--verify-only]
//   ProtoBench --input bench/out/records.bin --profile decode|encode|encode_to_buffer [--passes 200]
//
// The input is the data set the C++ side writes (`bench --write-dataset`): records of
// `usageflow.bench.v1.UsageRecord`, each behind a varint length, so both sides decode the same
// bytes. `--write-reencoded` writes Swift's decode + re-encode of every record in the same framing,
// for `bench --verify` to compare with what C++ makes of the original.
//
// Not a test: nothing here asserts a speed. Every figure is messages per second over the whole
// data set, and MB/s of serialized payload; "best" and "median" are over the timed rounds.

import Glibc
import ProtoWire
import WellKnownTypes

typealias UsageRecord = Usageflow_Bench_V1_UsageRecord

// MARK: Options

struct Options {
    var input = "bench/out/records.bin"
    var rounds = 11
    var roundMilliseconds = 100.0
    var reencodedOutput: String?
    var profile: String?
    var passes = 200
    var verifyOnly = false

    init(arguments: [String]) {
        var index = 1
        func value() -> String {
            guard index + 1 < arguments.count else { fail("\(arguments[index]) needs a value") }
            index += 1
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--input": input = value()
            case "--rounds": rounds = Int(value()) ?? rounds
            case "--round-ms": roundMilliseconds = Double(value()) ?? roundMilliseconds
            case "--write-reencoded": reencodedOutput = value()
            case "--profile": profile = value()
            case "--passes": passes = Int(value()) ?? passes
            case "--verify-only": verifyOnly = true
            default: fail("unknown argument \(arguments[index])")
            }
            index += 1
        }
    }
}

func fail(_ message: String) -> Never {
    let line = Array("ProtoBench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

// MARK: Files

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fail("cannot open \(path) (run bench/protobuf/run.sh first)") }
    defer { fclose(file) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count == 0 { break }
        data.append(contentsOf: chunk[0..<count])
    }
    return data
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    guard let file = fopen(path, "wb") else { fail("cannot write \(path)") }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    guard written == bytes.count, fclose(file) == 0 else { fail("cannot write \(path)") }
}

func appendVarint(_ value: Int, to out: inout [UInt8]) {
    var value = UInt64(value)
    while value >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: value) | 0x80)
        value >>= 7
    }
    out.append(UInt8(value))
}

/// The (offset, count) of every record of a length-prefixed file.
func splitRecords(_ data: [UInt8]) -> [(offset: Int, count: Int)] {
    var spans: [(offset: Int, count: Int)] = []
    var position = 0
    while position < data.count {
        var length = 0
        var shift = 0
        while true {
            guard position < data.count, shift < 64 else { fail("malformed length prefix") }
            let byte = data[position]
            position += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard length <= data.count - position else { fail("truncated record") }
        spans.append((position, length))
        position += length
    }
    return spans
}

// MARK: Timing

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

func fixed(_ value: Double, decimals: Int) -> String {
    if decimals == 0 { return String(Int(value.rounded())) }
    var scale = 1
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int((value * Double(scale)).rounded())
    let fraction = String(scaled % scale)
    return "\(scaled / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
}

func padded(_ text: String, _ width: Int, left: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return left ? text + padding : padding + text
}

/// Runs `pass` (one pass over every record, returning a checksum) for a warm-up that also sets how
/// many passes fill a round, then for `rounds` timed rounds; prints the rates in the format the
/// C++ side prints, which run.sh parses.
func measure(_ name: String, messages: Int, bytes: Int, options: Options, _ pass: () -> UInt64) {
    var checksum: UInt64 = 0
    let warmStart = now()
    var warmPasses = 0
    while now() - warmStart < 0.2 || warmPasses < 3 {
        checksum &+= pass()
        warmPasses += 1
    }
    let perPass = (now() - warmStart) / Double(warmPasses)
    let passes = max(1, Int(options.roundMilliseconds / 1000 / perPass))
    var rates: [Double] = []
    for _ in 0..<options.rounds {
        let start = now()
        for _ in 0..<passes { checksum &+= pass() }
        rates.append(Double(messages * passes) / (now() - start))
    }
    rates.sort()
    let best = rates[rates.count - 1]
    let median = rates[rates.count / 2]
    let megabytesPerMessage = Double(bytes) / Double(messages) / 1e6
    print(
        "RESULT swift \(padded(name, 22, left: true)) best \(padded(fixed(best, decimals: 0), 12)) msg/s "
            + "\(padded(fixed(best * megabytesPerMessage, decimals: 1), 8)) MB/s  median "
            + "\(padded(fixed(median, decimals: 0), 12)) msg/s \(padded(fixed(median * megabytesPerMessage, decimals: 1), 8)) MB/s  "
            + "(\(options.rounds) rounds x \(passes) passes, checksum \(checksum))")
    fflush(nil)
}

// MARK: Passes

/// A few fields of a decoded record, summed so the decode cannot be optimized away.
@inline(__always)
func digest(_ record: UsageRecord) -> UInt64 {
    UInt64(record.recordId.utf8.count) &+ UInt64(record.quantity.utf8.count) &+ UInt64(record.params.count)
        &+ UInt64(record.revision) &+ UInt64(bitPattern: record.periodEnd.seconds)
}

/// Decodes every record into a new value, from the raw bytes (as C++ ParseFromArray does).
func decodePass(_ base: UnsafeRawPointer, _ spans: [(offset: Int, count: Int)]) -> UInt64 {
    var sum: UInt64 = 0
    for span in spans {
        let bytes = UnsafeRawBufferPointer(start: base + span.offset, count: span.count)
        do {
            let record = try UsageRecord(serializedBytes: bytes)
            sum &+= digest(record)
        } catch {
            fail("decode failed: \(error)")
        }
    }
    return sum
}

/// A record held by an immutable class property, so the encode passes can use it in place: the
/// C++ side iterates by reference, while `for record in records` over `[UsageRecord]` (or a read
/// through a buffer pointer) copies the record first — a retain and a release per string field —
/// and would charge that copy to the encoder.
final class Held: Sendable {
    let record: UsageRecord
    init(_ record: UsageRecord) { self.record = record }
}

/// Encodes every record into a new `[UInt8]` (`serializedBytes()`).
func encodeArrayPass(_ records: [Held]) -> UInt64 {
    var sum: UInt64 = 0
    for held in records {
        let bytes = held.record.serializedBytes()
        sum &+= UInt64(bytes.count) &+ UInt64(bytes[bytes.count - 1])
    }
    return sum
}

/// Encodes every record into one reused buffer: a size pass, then the write pass (as C++
/// SerializeToArray does).
func encodeBufferPass(_ records: [Held], _ buffer: UnsafeMutableRawBufferPointer) -> UInt64 {
    var sum: UInt64 = 0
    for held in records {
        let size = encode(held.record, into: buffer)
        sum &+= UInt64(size) &+ UInt64(buffer[size - 1])
    }
    return sum
}

/// `record` is a parameter (borrowed from the class property) rather than two reads of
/// `held.record`, which the compiler would copy into a temporary.
@inline(__always)
func encode(_ record: UsageRecord, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    let size = record.serializedSize()
    precondition(size <= buffer.count, "record larger than the encode buffer")
    var writer = WireWriter(buffer: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size]))
    record.encodeFields(to: &writer)
    return size
}

// MARK: Main

func run() {
    let options = Options(arguments: CommandLine.arguments)
    let data = readFile(options.input)
    let spans = splitRecords(data)
    guard !spans.isEmpty else { fail("\(options.input) holds no records") }
    let payload = spans.reduce(0) { $0 + $1.count }

    // One stable copy of the input for the decode passes, like the C++ side's std::string.
    let blob = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 16)
    defer { blob.deallocate() }
    blob.copyBytes(from: data)
    let base = UnsafeRawPointer(blob.baseAddress!)

    var records: [UsageRecord] = []
    records.reserveCapacity(spans.count)
    for span in spans {
        do {
            records.append(try UsageRecord(serializedBytes: UnsafeRawBufferPointer(start: base + span.offset, count: span.count)))
        } catch {
            fail("record \(records.count) does not decode: \(error)")
        }
    }

    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    defer { buffer.deallocate() }
    let borrowed = records.map(Held.init)

    if let profile = options.profile {
        // A fixed amount of one kind of work and nothing else, for callgrind.
        var checksum: UInt64 = 0
        for _ in 0..<options.passes {
            switch profile {
            case "decode": checksum &+= decodePass(base, spans)
            case "encode": checksum &+= encodeArrayPass(borrowed)
            case "encode_to_buffer": checksum &+= encodeBufferPass(borrowed, buffer)
            default: fail("--profile takes decode, encode or encode_to_buffer")
            }
        }
        print("PROFILE swift \(profile) \(options.passes) passes x \(spans.count) records, checksum \(checksum)")
        return
    }

    // Round trip check: Swift's re-encoding of each record against the original bytes.
    var identical = 0
    var reencoded: [UInt8] = []
    reencoded.reserveCapacity(data.count)
    for (record, span) in zip(records, spans) {
        let bytes = record.serializedBytes()
        if bytes.elementsEqual(data[span.offset..<span.offset + span.count]) { identical += 1 }
        appendVarint(bytes.count, to: &reencoded)
        reencoded.append(contentsOf: bytes)
    }
    if let path = options.reencodedOutput { writeFile(path, reencoded) }
    print("INFO swift records \(spans.count) payload_bytes \(payload) reencoded_identical \(identical)/\(spans.count)")
    if options.verifyOnly {
        // The data set is written deterministically (map keys sorted), as ProtoWire encodes.
        if identical != spans.count { fail("\(spans.count - identical) record(s) re-encode to different bytes") }
        return
    }

    measure("decode_fresh", messages: spans.count, bytes: payload, options: options) { decodePass(base, spans) }
    measure("encode_to_buffer", messages: spans.count, bytes: payload, options: options) {
        encodeBufferPass(borrowed, buffer)
    }
    measure("encode_new_array", messages: spans.count, bytes: payload, options: options) { encodeArrayPass(borrowed) }
}

run()

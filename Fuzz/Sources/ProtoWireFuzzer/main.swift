// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire decoder fuzz target (libFuzzer).
//
// Built with `--sanitize=fuzzer`, SwiftPM compiles this executable with `-parse-as-library`, so this
// file emits no `main` of its own: libFuzzer's `main` drives `LLVMFuzzerTestOneInput` below.
// Build and run it with Fuzz/run.sh; Fuzz/README.md lists the invariants.
//
// A broken invariant traps (`fatalError`, through `require` below so that its message is printed in
// a release build too, where `precondition` drops it), which libFuzzer reports as a crash and saves as
// a `crash-<sha1>` artifact. Invalid input is not a failure: it must throw a `WireError`.

import ConformanceMessages
import ProtoWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    checkDecoder(ProtobufTestMessages_Proto3_TestAllTypesProto3.self, input)
    checkDecoder(ProtobufTestMessages_Proto2_TestAllTypesProto2.self, input)
    return 0
}

/// Runs every invariant for one message type over one input.
func checkDecoder<M: ProtoMessage>(_: M.Type, _ input: UnsafeRawBufferPointer) {
    let name = M.protoMessageName

    // The same bytes as an ArraySlice in the middle of a larger array: the padding catches a reader
    // that strays past its slice, which AddressSanitizer cannot see inside one allocation.
    var padded: [UInt8] = [0xFF, 0x0B]
    padded.append(contentsOf: input)
    padded.append(contentsOf: [0x0B, 0xFF] as [UInt8])
    let slice = padded[2..<(2 + input.count)]

    // 1. Decode. Failure must be a WireError (typed throws guarantees the type; a trap is a crash).
    let first: M
    do throws(WireError) {
        first = try M(serializedBytes: input)
    } catch {
        require(
            error.offset >= 0 && error.offset <= input.count,
            "\(name): error offset \(error.offset) outside the \(input.count)-byte input: \(error)"
        )
        // The slice path must reject the same bytes with the same error.
        do throws(WireError) {
            _ = try M(serializedBytes: slice)
            fatalError("\(name): raw-buffer decode threw \(error) but the ArraySlice decode succeeded")
        } catch let sliceError {
            require(sliceError == error, "\(name): raw-buffer decode threw \(error), ArraySlice decode threw \(sliceError)")
        }
        return
    }

    // 2. Encode: the size pass must match the bytes written (serializedBytes also checks this).
    let encoded = first.serializedBytes()
    require(encoded.count == first.serializedSize(), "\(name): serializedSize() disagrees with serializedBytes().count")

    // 3. Decode the re-encoding: it must succeed, and encoding again must give the same bytes.
    let second: M
    do throws(WireError) {
        second = try M(serializedBytes: encoded)
    } catch {
        fatalError("\(name): re-encoding of a valid message fails to decode: \(error); encoding \(hex(encoded))")
    }
    let reencoded = second.serializedBytes()
    require(
        reencoded == encoded,
        "\(name): encoding is not stable: encode(decode(encode(m))) = \(hex(reencoded)) != encode(m) = \(hex(encoded))"
    )

    // 4. The two decoded values are equal (and hash alike) — unless a NaN makes `==` false, in which
    //    case the byte comparison above is the invariant that counts.
    if first == second {
        require(first.hashValue == second.hashValue, "\(name): equal messages with different hash values")
    } else {
        require(
            containsNaN(first),
            "\(name): decode(encode(m)) != m, and m holds no NaN; encoding \(hex(encoded))"
        )
    }

    // 5. The ArraySlice path decodes to the same message.
    do throws(WireError) {
        let fromSlice = try M(serializedBytes: slice)
        require(fromSlice.serializedBytes() == encoded, "\(name): ArraySlice decode differs from raw-buffer decode")
    } catch {
        fatalError("\(name): raw-buffer decode succeeded but the ArraySlice decode threw \(error)")
    }

    // 6. Protobuf's merge rule: parsing x ++ x equals parsing x, then merging x into it.
    var merged = first
    do throws(WireError) {
        try merged.merge(serializedBytes: input)
    } catch {
        fatalError("\(name): merging a valid input into its own decoding threw \(error)")
    }
    var doubled = [UInt8](input)
    doubled.append(contentsOf: input)
    do throws(WireError) {
        let concatenated = try M(serializedBytes: doubled)
        require(
            concatenated.serializedBytes() == merged.serializedBytes(),
            "\(name): decode(x ++ x) differs from decode(x).merge(x)"
        )
    } catch {
        fatalError("\(name): x decodes but x ++ x throws \(error)")
    }
    // Merging must not have touched the value it was copied from (copy-on-write storage).
    require(first.serializedBytes() == encoded, "\(name): merging into a copy changed the original")
}

/// `precondition` that keeps its message in -O builds: a broken invariant ends the process through
/// `fatalError`, which prints the message and traps; libFuzzer then reports a crash.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}

/// Whether any Float or Double reachable from `value` is NaN. Walks the stored properties by
/// reflection (through the generated messages' storage classes, optionals, arrays, maps and oneof
/// enums); only used on the rare path where two decodings compare unequal.
func containsNaN(_ value: Any) -> Bool {
    if let float = value as? Float { return float.isNaN }
    if let double = value as? Double { return double.isNaN }
    if value is String || value is [UInt8] { return false }
    return Mirror(reflecting: value).children.contains { containsNaN($0.value) }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    text.reserveCapacity(bytes.count * 2)
    for byte in bytes.prefix(512) {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return bytes.count > 512 ? text + "…(\(bytes.count) bytes)" : text
}

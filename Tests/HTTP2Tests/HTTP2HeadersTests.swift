// SPDX-License-Identifier: Apache-2.0
import HTTP2
import Testing

@Suite("HTTP2Headers")
struct HTTP2HeadersTests {
    @Test("literals keep order and duplicates")
    func literalOrder() {
        let headers: HTTP2Headers = [":status": "200", "x-a": "1", "x-a": "2", "content-type": "application/grpc"]
        #expect(headers.map(\.name) == [":status", "x-a", "x-a", "content-type"])
        #expect(headers["x-a"] == "1")
        #expect(headers.values(for: "x-a") == ["1", "2"])
        #expect(headers["missing"] == nil)
    }

    static let sizeCases: [(HTTP2Headers, Int)] = [
        (HTTP2Headers(), 0),
        ([":status": "200"], 42),
        (["a": "", "bb": "cc"], 33 + 36),
    ]

    @Test("list size counts name + value + 32 per field", arguments: sizeCases)
    func listSize(headers: HTTP2Headers, expected: Int) {
        #expect(headers.listSize == expected)
    }

    @Test("append and equality")
    func append() {
        var headers = HTTP2Headers()
        headers.append(name: "grpc-status", value: "0")
        #expect(headers == ["grpc-status": "0"])
        headers.fields[0].value = "13"
        #expect(headers["grpc-status"] == "13")
    }

    static let codeNames: [(HTTP2ErrorCode, String)] = [
        (.noError, "NO_ERROR"), (.refusedStream, "REFUSED_STREAM"), (.enhanceYourCalm, "ENHANCE_YOUR_CALM"),
        (HTTP2ErrorCode(rawValue: 0x42), "0x42"),
    ]

    @Test("error codes print their RFC names", arguments: codeNames)
    func errorCodeNames(code: HTTP2ErrorCode, name: String) {
        #expect(code.description == name)
    }
}

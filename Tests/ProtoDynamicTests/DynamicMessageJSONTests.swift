// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamicTests

import Contracts
import ProtoDynamic
import ProtoWire
import Testing
import WellKnownTypes

@Suite("DynamicMessage JSON")
struct DynamicMessageJSONTests {
    /// A message with every kind of field set, written by the proto3 JSON mapping by hand.
    static let kitchenJSON =
        #"{"fDouble":1.5,"fFloat":0.1,"fInt64":"-9007199254740993","fUint64":"18446744073709551615","#
        + #""fInt32":-42,"fFixed64":"7","fFixed32":8,"fBool":true,"fString":"a\"b\n\u0001é","fBytes":"+/8=","#
        + #""fUint32":4294967295,"fSfixed32":-1,"fSfixed64":"-2","fSint32":-3,"fSint64":"4","#
        + #""precision":"PRECISION_DECIMAL_2","nested":{"id":1,"name":"n"},"rInt32":[1,2],"rString":["x"],"#
        + #""rNested":[{"id":2},{}],"rSint64":["-5"],"labels":{"a":1,"b":2},"byId":{"-3":{},"10":{"name":"ten"}},"#
        + #""flags":{"false":"no","true":"yes"},"precisions":{"1":7},"maybe":0,"choiceText":"t","#
        + #""at":"2025-03-01T00:00:00.500Z","took":"-1.500s","big":"5","note":"hi","#
        + #""meta":{"k":[1,"s",null,true,{}]},"dynamic":"x","mask":"fooBar,baz","#
        + #""detail":{"@type":"type.googleapis.com/test.kitchen.Sink.Nested","id":5},"nothing":{},"#
        + #""rPrecision":["PRECISION_INTEGER",9],"enabled":false,"blob":"AQ=="}"#

    @Test("a message with every kind of field prints as canonical proto3 JSON, and parses back")
    func kitchenRoundTrip() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        let message = try DynamicMessage(schema: schema, jsonString: Self.kitchenJSON)
        #expect(try message.jsonString() == Self.kitchenJSON)
        // Through the binary format and back, nothing is lost.
        let decoded = try DynamicMessage(schema: schema, serializedBytes: message.serializedBytes())
        #expect(decoded == message)
        #expect(try decoded.jsonString() == Self.kitchenJSON)
    }

    @Test("a SimpleRequest prints as the mapping says, compact and pretty")
    func simpleRequest() throws {
        let pool = try Fixtures.contracts()
        var generated = Grpc_Testing_SimpleRequest()
        generated.responseSize = 10
        generated.payload.body = [0, 1, 2]
        generated.fillUsername = true
        generated.responseStatus.code = 2
        generated.responseStatus.message = "boom"
        generated.orcaOobReport.requestCost = ["b": 0.5, "a": 2]
        let message = try DynamicMessage(
            schema: try Fixtures.message(pool, "grpc.testing.SimpleRequest"),
            serializedBytes: generated.serializedBytes())

        #expect(
            try message.jsonString()
                == #"{"responseSize":10,"payload":{"body":"AAEC"},"fillUsername":true,"#
                + #""responseStatus":{"code":2,"message":"boom"},"orcaOobReport":{"requestCost":{"a":2,"b":0.5}}}"#)
        #expect(
            try message.jsonString(options: JSONEncodingOptions(pretty: true)) == """
                {
                  "responseSize": 10,
                  "payload": {
                    "body": "AAEC"
                  },
                  "fillUsername": true,
                  "responseStatus": {
                    "code": 2,
                    "message": "boom"
                  },
                  "orcaOobReport": {
                    "requestCost": {
                      "a": 2,
                      "b": 0.5
                    }
                  }
                }
                """)
        #expect(
            try message.jsonString(options: JSONEncodingOptions(useProtoNames: true))
                == #"{"response_size":10,"payload":{"body":"AAEC"},"fill_username":true,"#
                + #""response_status":{"code":2,"message":"boom"},"orca_oob_report":{"request_cost":{"a":2,"b":0.5}}}"#)
    }

    @Test("includeDefaults prints zero scalars and empty lists, not unset messages or oneofs")
    func includeDefaults() throws {
        let pool = try Fixtures.contracts()
        let payload = DynamicMessage(schema: try Fixtures.message(pool, "grpc.testing.Payload"))
        #expect(try payload.jsonString() == "{}")
        #expect(
            try payload.jsonString(options: JSONEncodingOptions(includeDefaults: true))
                == #"{"type":"COMPRESSABLE","body":""}"#)

        let info = DynamicMessage(schema: try Fixtures.message(pool, "grpc.testing.ReconnectInfo"))
        #expect(
            try info.jsonString(options: JSONEncodingOptions(includeDefaults: true))
                == #"{"passed":false,"backoffMs":[]}"#)

        let kitchen = try Fixtures.kitchen()
        let sink = DynamicMessage(schema: try Fixtures.message(kitchen, "test.kitchen.Sink"))
        let json = try sink.jsonString(options: JSONEncodingOptions(includeDefaults: true))
        #expect(json.contains(#""fInt64":"0""#))
        #expect(json.contains(#""labels":{}"#))
        #expect(json.contains(#""precision":"PRECISION_UNSPECIFIED""#))
        #expect(!json.contains("nested"))
        #expect(!json.contains("maybe"))
        #expect(!json.contains("choice"))
    }

    @Test(
        "special float values print as the strings the mapping names",
        arguments: [
            ("nan", #"{"fDouble":"NaN"}"#), ("inf", #"{"fDouble":"Infinity"}"#), ("-inf", #"{"fDouble":"-Infinity"}"#),
            ("1e300", #"{"fDouble":1e+300}"#), ("0.000001", #"{"fDouble":1e-06}"#), ("-0", #"{"fDouble":-0}"#),
            ("123456789", #"{"fDouble":123456789}"#),
        ])
    func specialFloats(text: String, expected: String) throws {
        let pool = try Fixtures.kitchen()
        var message = DynamicMessage(schema: try Fixtures.message(pool, "test.kitchen.Sink"))
        try message.set(path: "f_double", text: text)
        #expect(try message.jsonString() == expected)
        let back = try DynamicMessage(schema: message.schema, jsonString: expected)
        #expect(back.serializedBytes() == message.serializedBytes())
    }

    @Test("an Any whose type the pool lacks prints its bytes, and parses back")
    func unknownAny() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        let json = #"{"detail":{"@type":"type.googleapis.com/acme.Unknown","value":"CAE="}}"#
        let message = try DynamicMessage(schema: schema, jsonString: json)
        #expect(try message.jsonString() == json)
        #expect(
            hex(message.serializedBytes())
                == "a202260a20747970652e676f6f676c65617069732e636f6d2f61636d652e556e6b6e6f776e12020801")
    }

    @Test("an Any holding a well-known type uses the value member")
    func wellKnownInAny() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        let json = #"{"detail":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"3s"}}"#
        let message = try DynamicMessage(schema: schema, jsonString: json)
        #expect(try message.jsonString() == json)
    }

    @Test("a Timestamp outside the mapping's range cannot be printed")
    func timestampOutOfRange() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        var message = DynamicMessage(schema: schema)
        try message.set(path: "at.seconds", text: "253402300800")
        #expect {
            try message.jsonString()
        } throws: { error in
            let error = try #require(error as? DynamicMessageError)
            return error.code == .outOfRange && error.path == "at"
                && error.message
                    == "at: timestamp seconds 253402300800, nanos 0 is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z"
        }
    }

    @Test("parsing accepts JSON and proto names, numbers as strings, null as unset, enum numbers, URL-safe base64")
    func lenientParsing() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        let message = try DynamicMessage(
            schema: schema,
            jsonString: """
                {
                  "f_int32": "12", "fInt64": 9007199254740993, "f_uint32": 1e3, "fDouble": "NaN",
                  "fFloat": "-Infinity", "precision": 1, "fBytes": "-_8", "fString": null, "nested": null,
                  "r_precision": ["decimal_2", 0], "big": null, "dynamic": null, "fBool": false
                }
                """)
        #expect(message["f_int32"] == .int32(12))
        #expect(message["f_int64"] == .int64(9_007_199_254_740_993))
        #expect(message["f_uint32"] == .uint32(1000))
        #expect(message["f_float"] == .float(-.infinity))
        #expect(message["precision"] == .enumValue(1))
        #expect(message["f_bytes"] == .bytes([0xFB, 0xFF]))
        #expect(message["f_string"] == nil)
        #expect(message["nested"] == nil)
        #expect(message["big"] == nil)
        #expect(message.values(try Fixtures.field(schema, "r_precision")) == [.enumValue(3), .enumValue(0)])
        // A null Value is a value: google.protobuf.NullValue.
        #expect(try message.jsonString().contains(#""dynamic":null"#))
    }

    @Test("unknown fields fail unless ignored")
    func unknownFieldNames() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        #expect {
            try DynamicMessage(schema: schema, jsonString: #"{"fInt32": 1, "nested": {"idd": 2}}"#)
        } throws: { error in
            let error = try #require(error as? DynamicMessageError)
            return error.code == .unknownField && error.path == "nested.idd"
                && error.message == #"nested.idd: no field named "idd" in test.kitchen.Sink.Nested"#
        }
        let lenient = try DynamicMessage(
            schema: schema, jsonString: #"{"fInt32": 1, "noSuch": {"x": [1]}, "precision": "NEWER_VALUE"}"#,
            options: JSONDecodingOptions(ignoreUnknownFields: true))
        #expect(try lenient.jsonString() == #"{"fInt32":1}"#)
    }

    @Test(
        "malformed JSON is reported with line, column and what was expected",
        arguments: [
            (#"{"fInt32": }"#, "JSON syntax error at line 1, column 12: unexpected character '}', expected a value"),
            (#"{"fInt32": 1,}"#, "JSON syntax error at line 1, column 14: expected a string key in object"),
            (#"{"rInt32": [1, 2"#, "JSON syntax error at line 1, column 17: unexpected end of input in array"),
            (#"{"fString": "abc"#, "JSON syntax error at line 1, column 17: unterminated string"),
            (
                "{\n  \"fInt32\": 1\n  \"fBool\": true\n}",
                "JSON syntax error at line 3, column 3: expected ',' or '}' in object"
            ),
            (#"{"fInt32": 1} x"#, "JSON syntax error at line 1, column 15: unexpected text after the JSON value"),
            (#"{"fString": "\x"}"#, #"JSON syntax error at line 1, column 15: invalid escape \x in string"#),
            (
                #"{"fInt32": 01}"#,
                "JSON syntax error at line 1, column 13: invalid number, leading zeros are not allowed"
            ),
            (#"{"fBool": tru}"#, "JSON syntax error at line 1, column 11: invalid literal, expected true"),
            (#"{"fInt32" 1}"#, "JSON syntax error at line 1, column 11: expected ':' after object key"),
            (
                #"{"fString": "\ud800"}"#,
                #"JSON syntax error at line 1, column 20: unpaired surrogate \uD800 in string"#
            ),
            (
                "{\"fString\": \"a\tb\"}",
                "JSON syntax error at line 1, column 15: control character 0x9 in string must be escaped"
            ),
            ("", "JSON syntax error at line 1, column 1: unexpected end of input, expected a value"),
            (#"{"fInt32": -}"#, "JSON syntax error at line 1, column 13: invalid number, expected a digit"),
            (#"{"fDouble": 1.}"#, "JSON syntax error at line 1, column 15: invalid number, expected a digit after '.'"),
        ])
    func malformed(json: String, message: String) throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        #expect {
            try DynamicMessage(schema: schema, jsonString: json)
        } throws: { error in
            let error = try #require(error as? DynamicMessageError)
            return error.code == .malformedJSON && error.path.isEmpty && error.message == message
        }
    }

    @Test(
        "values of the wrong type or out of range name the field and the value",
        arguments: [
            (#"{"fBool": "true"}"#, "fBool", #"fBool: expected true or false, got the string "true""#),
            (#"{"fInt32": "abc"}"#, "fInt32", #"fInt32: invalid int32 "abc""#),
            (#"{"fInt32": " 1"}"#, "fInt32", #"fInt32: invalid int32 " 1""#),
            (#"{"fInt32": true}"#, "fInt32", "fInt32: expected int32 as a number or a numeric string, got a bool"),
            (
                #"{"fInt32": 2147483648}"#, "fInt32",
                "fInt32: 2147483648 is out of range for int32 (-2147483648 to 2147483647)"
            ),
            (
                #"{"fSint32": -2147483649}"#, "fSint32",
                "fSint32: -2147483649 is out of range for sint32 (-2147483648 to 2147483647)"
            ),
            (#"{"fUint32": -1}"#, "fUint32", "fUint32: -1 is out of range for uint32 (0 to 4294967295)"),
            (
                #"{"fInt64": "9223372036854775808"}"#, "fInt64",
                "fInt64: 9223372036854775808 is out of range for int64 (-9223372036854775808 to 9223372036854775807)"
            ),
            (
                #"{"fUint64": 18446744073709551616}"#, "fUint64",
                "fUint64: 18446744073709551616 is out of range for uint64 (0 to 18446744073709551615)"
            ),
            (#"{"fInt32": 1.5}"#, "fInt32", "fInt32: 1.5 is not an integer (int32)"),
            (#"{"fInt32": 1e10}"#, "fInt32", "fInt32: 1e10 is out of range for int32 (-2147483648 to 2147483647)"),
            (#"{"fFloat": 1e39}"#, "fFloat", "fFloat: 1e39 is out of range for float"),
            (#"{"fDouble": 1e400}"#, "fDouble", "fDouble: 1e400 is out of range for double"),
            (#"{"fDouble": "fast"}"#, "fDouble", #"fDouble: invalid double "fast""#),
            (#"{"fString": 5}"#, "fString", "fString: expected a string, got the number 5"),
            (#"{"fBytes": "!!"}"#, "fBytes", #"fBytes: invalid base64 "!!""#),
            (#"{"rInt32": 1}"#, "rInt32", "rInt32: expected an array for repeated int32, got the number 1"),
            (#"{"rInt32": [1, null]}"#, "rInt32[1]", "rInt32[1]: list elements cannot be null"),
            (#"{"labels": []}"#, "labels", "labels: expected an object for map<string, int32>, got an array"),
            (#"{"labels": {"a": "x"}}"#, #"labels["a"]"#, #"labels["a"]: invalid int32 "x""#),
            (#"{"byId": {"abc": {}}}"#, #"byId["abc"]"#, #"byId["abc"]: invalid map key: invalid int64 "abc""#),
            (
                #"{"flags": {"yes": "1"}}"#, #"flags["yes"]"#,
                #"flags["yes"]: invalid map key: invalid bool "yes" (expected true or false)"#
            ),
            (#"{"nested": 5}"#, "nested", "nested: expected an object for test.kitchen.Sink.Nested, got the number 5"),
            (#"{"rNested": [{"id": 1}, {"id": "x"}]}"#, "rNested[1].id", #"rNested[1].id: invalid int32 "x""#),
            (
                #"{"precision": "PRECISION_FOO"}"#, "precision",
                #"precision: unknown value "PRECISION_FOO" for enum test.kitchen.Precision (expected one of PRECISION_UNSPECIFIED, PRECISION_INTEGER, PRECISION_DECIMAL_2)"#
            ),
            (
                #"{"precision": 2147483648}"#, "precision",
                "precision: 2147483648 is out of range for enum (-2147483648 to 2147483647)"
            ),
            (
                #"{"precision": [1]}"#, "precision",
                "precision: expected an enum name or number for test.kitchen.Precision, got an array"
            ),
            (
                #"{"at": "yesterday"}"#, "at",
                #"at: invalid timestamp "yesterday" (expected RFC 3339, such as 2025-03-01T00:00:00Z)"#
            ),
            (
                #"{"at": "2025-02-29T00:00:00Z"}"#, "at",
                #"at: invalid timestamp "2025-02-29T00:00:00Z" (expected RFC 3339, such as 2025-03-01T00:00:00Z)"#
            ),
            (#"{"at": 1}"#, "at", "at: expected a string for google.protobuf.Timestamp, got the number 1"),
            (
                #"{"took": "5"}"#, "took",
                #"took: invalid duration "5" (expected seconds with an s suffix, such as 1.5s)"#
            ),
            (#"{"big": "x"}"#, "big", #"big: invalid int64 "x""#),
            (#"{"detail": {"id": 1}}"#, "detail", #"detail: google.protobuf.Any needs an "@type" member"#),
            (
                #"{"detail": {"@type": "x/acme.Nope", "id": 1}}"#, "detail.@type",
                #"detail.@type: unknown message type in type URL "x/acme.Nope""#
            ),
            (#"{"meta": {"k": 1e999}}"#, #"meta["k"]"#, #"meta["k"]: 1e999 is out of range for a JSON number"#),
            (#"[1]"#, "", "expected an object for test.kitchen.Sink, got an array"),
        ])
    func wrongValues(json: String, path: String, message: String) throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        #expect {
            try DynamicMessage(schema: schema, jsonString: json)
        } throws: { error in
            let error = try #require(error as? DynamicMessageError)
            return error.path == path && error.message == message
        }
    }

    @Test("a field given twice, or two members of a oneof, is an error")
    func duplicates() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        #expect {
            try DynamicMessage(schema: schema, jsonString: #"{"fInt32": 1, "f_int32": 2}"#)
        } throws: { error in
            let error = try #require(error as? DynamicMessageError)
            return error.code == .duplicateField
                && error.message == #"f_int32: field f_int32 is given twice (as "fInt32" and "f_int32")"#
        }
        #expect {
            try DynamicMessage(schema: schema, jsonString: #"{"choiceText": "a", "choiceNested": {}}"#)
        } throws: { error in
            let error = try #require(error as? DynamicMessageError)
            return error.code == .duplicateField
                && error.message
                    == #"choiceNested: "choiceText" and "choiceNested" are both set, but oneof choice allows one"#
        }
        // A null member does not count.
        let message = try DynamicMessage(
            schema: schema, jsonString: #"{"choiceText": null, "choiceNested": {"id": 1}}"#)
        #expect(try message.jsonString() == #"{"choiceNested":{"id":1}}"#)
    }

    @Test("input deeper or larger than the limits is refused before it is interpreted")
    func limits() throws {
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        let deep = #"{"meta": {"k": "# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}}"
        #expect {
            try DynamicMessage(schema: schema, jsonString: deep)
        } throws: { error in
            let error = try #require(error as? DynamicMessageError)
            return error.code == .limitExceeded
                && error.message == "JSON nesting is deeper than the limit of 100 levels"
        }
        let shallow = #"{"meta": {"k": [[[1]]]}}"#
        #expect(throws: Never.self) {
            try DynamicMessage(schema: schema, jsonString: shallow, options: JSONDecodingOptions(depthLimit: 5))
        }
        #expect(throws: DynamicMessageError.self) {
            try DynamicMessage(schema: schema, jsonString: shallow, options: JSONDecodingOptions(depthLimit: 4))
        }
        #expect {
            try DynamicMessage(
                schema: schema, jsonString: #"{"fString": "0123456789"}"#, options: JSONDecodingOptions(sizeLimit: 16))
        } throws: { error in
            (error as? DynamicMessageError)?.message == "JSON input of 25 bytes is larger than the limit of 16 bytes"
        }
        #expect {
            try DynamicMessage(schema: schema, jsonUTF8: Array(#"{"fString": ""#.utf8) + [0xFF, 0x22, 0x7D])
        } throws: { error in
            (error as? DynamicMessageError)?.message == "JSON input is not valid UTF-8"
        }
    }

    @Test("merging JSON appends to lists and keeps other fields")
    func merge() throws {
        let pool = try Fixtures.kitchen()
        var message = DynamicMessage(schema: try Fixtures.message(pool, "test.kitchen.Sink"))
        try message.merge(jsonString: #"{"fInt32": 1, "rInt32": [1], "nested": {"id": 1}}"#)
        try message.merge(jsonString: #"{"rInt32": [2], "nested": {"name": "n"}}"#)
        #expect(try message.jsonString() == #"{"fInt32":1,"nested":{"id":1,"name":"n"},"rInt32":[1,2]}"#)
    }

    @Test("strings escape quotes, backslashes and control characters and keep the rest")
    func stringEscapes() throws {
        let pool = try Fixtures.kitchen()
        var message = DynamicMessage(schema: try Fixtures.message(pool, "test.kitchen.Sink"))
        try message.set(path: "f_string", text: "q\"b\\s/\u{08}\u{0C}\r\t\u{1F}€😀")
        let json = try message.jsonString()
        #expect(json == #"{"fString":"q\"b\\s/\b\f\r\t\u001F€😀"}"#)
        let back = try DynamicMessage(
            schema: message.schema, jsonString: #"{"fString":"q\"b\\s\/\b\f\r\t\u001F\u20ac\ud83d\ude00"}"#)
        #expect(back == message)
    }

    @Test("Anys nested without end are opened only so deep")
    func nestedAnys() throws {
        var any = Google_Protobuf_Any()
        any.typeUrl = "type.googleapis.com/google.protobuf.Duration"
        any.value = [0x08, 0x01]
        for _ in 0..<40 {
            var outer = Google_Protobuf_Any()
            outer.typeUrl = "type.googleapis.com/google.protobuf.Any"
            outer.value = any.serializedBytes()
            any = outer
        }
        let pool = try Fixtures.kitchen()
        let schema = try Fixtures.message(pool, "test.kitchen.Sink")
        let message = try DynamicMessage(
            schema: schema, serializedBytes: [0xA2, 0x02] + varint(any.serializedSize()) + any.serializedBytes())
        let json = try message.jsonString()
        #expect(occurrences(of: "@type", in: json) == 17)
        #expect(!json.contains("1s"))
        let text = message.readableText()
        #expect(occurrences(of: "(google.protobuf.Any)", in: text) == 16)
        #expect(text.hasSuffix("bytes)"))
    }
}

private func varint(_ value: Int) -> [UInt8] {
    var value = UInt64(value)
    var bytes: [UInt8] = []
    while value >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
        value >>= 7
    }
    return bytes + [UInt8(value)]
}

private func occurrences(of needle: String, in text: String) -> Int {
    let haystack = Array(text.utf8)
    let pattern = Array(needle.utf8)
    guard haystack.count >= pattern.count else { return 0 }
    return (0...(haystack.count - pattern.count)).filter { haystack[$0..<($0 + pattern.count)].elementsEqual(pattern) }
        .count
}

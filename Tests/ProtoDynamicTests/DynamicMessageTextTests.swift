// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamicTests

import Contracts
import ProtoDynamic
import ProtoWire
import Testing

@Suite("DynamicMessage flag text")
struct DynamicMessageTextTests {
    static func sink() throws -> DynamicMessage {
        DynamicMessage(schema: try Fixtures.message(try Fixtures.kitchen(), "test.kitchen.Sink"))
    }

    @Test(
        "every kind of field reads its text form",
        arguments: [
            ("f_bool", "true", #"{"fBool":true}"#),
            ("f_bool", "FALSE", "{}"),
            ("f_int32", "-2147483648", #"{"fInt32":-2147483648}"#),
            ("f_int32", "0x7f", #"{"fInt32":127}"#),
            ("f_int32", "+5", #"{"fInt32":5}"#),
            ("f_uint32", "4294967295", #"{"fUint32":4294967295}"#),
            ("f_int64", "-9223372036854775808", #"{"fInt64":"-9223372036854775808"}"#),
            ("f_uint64", "18446744073709551615", #"{"fUint64":"18446744073709551615"}"#),
            ("f_sint32", "-5", #"{"fSint32":-5}"#),
            ("f_sint64", "-5", #"{"fSint64":"-5"}"#),
            ("f_fixed32", "7", #"{"fFixed32":7}"#),
            ("f_fixed64", "7", #"{"fFixed64":"7"}"#),
            ("f_sfixed32", "-7", #"{"fSfixed32":-7}"#),
            ("f_sfixed64", "-7", #"{"fSfixed64":"-7"}"#),
            ("f_float", "1.25", #"{"fFloat":1.25}"#),
            ("f_double", "-1e-3", #"{"fDouble":-0.001}"#),
            ("f_double", "Infinity", #"{"fDouble":"Infinity"}"#),
            ("f_string", "hello world", #"{"fString":"hello world"}"#),
            ("f_string", "", "{}"),
            ("f_bytes", "aGk=", #"{"fBytes":"aGk="}"#),
            ("f_bytes", "aGk", #"{"fBytes":"aGk="}"#),
            ("f_bytes", "-_8", #"{"fBytes":"+/8="}"#),
            ("precision", "decimal_2", #"{"precision":"PRECISION_DECIMAL_2"}"#),
            ("precision", "PRECISION_DECIMAL_2", #"{"precision":"PRECISION_DECIMAL_2"}"#),
            ("precision", "Decimal-2", #"{"precision":"PRECISION_DECIMAL_2"}"#),
            ("precision", "1", #"{"precision":"PRECISION_INTEGER"}"#),
            ("precision", "7", #"{"precision":7}"#),
            ("nested.id", "5", #"{"nested":{"id":5}}"#),
            ("nested.id", "0", #"{"nested":{}}"#),
            ("nested", #"{"id": 3, "name": "x"}"#, #"{"nested":{"id":3,"name":"x"}}"#),
            ("fInt32", "3", #"{"fInt32":3}"#),
            ("f-int32", "3", #"{"fInt32":3}"#),
            ("F_INT32", "3", #"{"fInt32":3}"#),
            ("labels", "a=1", #"{"labels":{"a":1}}"#),
            ("labels", "=1", #"{"labels":{"":1}}"#),
            ("labels[b]", "2", #"{"labels":{"b":2}}"#),
            ("labels[\"x.y\"]", "2", #"{"labels":{"x.y":2}}"#),
            ("by_id", #"10={"name":"x"}"#, #"{"byId":{"10":{"name":"x"}}}"#),
            ("by_id[-3].name", "x", #"{"byId":{"-3":{"name":"x"}}}"#),
            ("flags", "true=a=b", #"{"flags":{"true":"a=b"}}"#),
            ("precisions", "1=integer", #"{"precisions":{"1":"PRECISION_INTEGER"}}"#),
            ("r_int32", "1", #"{"rInt32":[1]}"#),
            ("r_precision", "decimal_2", #"{"rPrecision":["PRECISION_DECIMAL_2"]}"#),
            ("r_nested", #"{"id":1}"#, #"{"rNested":[{"id":1}]}"#),
            ("maybe", "0", #"{"maybe":0}"#),
            ("choice_text", "a", #"{"choiceText":"a"}"#),
            ("choice_nested.id", "4", #"{"choiceNested":{"id":4}}"#),
            ("at", "2025-03-01T00:00:00Z", #"{"at":"2025-03-01T00:00:00Z"}"#),
            ("at", "2025-03-01T01:30:00.25+01:30", #"{"at":"2025-03-01T00:00:00.250Z"}"#),
            ("at", "2024-02-29t23:59:59.123456789z", #"{"at":"2024-02-29T23:59:59.123456789Z"}"#),
            ("at", "1969-12-31T23:59:59Z", #"{"at":"1969-12-31T23:59:59Z"}"#),
            ("at", "0001-01-01T00:00:00Z", #"{"at":"0001-01-01T00:00:00Z"}"#),
            ("at", "2025-03-01", #"{"at":"2025-03-01T00:00:00Z"}"#),
            ("at.seconds", "1", #"{"at":"1970-01-01T00:00:01Z"}"#),
            ("took", "1.5s", #"{"took":"1.500s"}"#),
            ("took", "-0.000001s", #"{"took":"-0.000001s"}"#),
            ("took", "90s", #"{"took":"90s"}"#),
            ("big", "9007199254740993", #"{"big":"9007199254740993"}"#),
            ("big", "0", #"{"big":"0"}"#),
            ("note", "hi there", #"{"note":"hi there"}"#),
            ("enabled", "false", #"{"enabled":false}"#),
            ("blob", "AQ==", #"{"blob":"AQ=="}"#),
            ("mask", "foo_bar,bazQux", #"{"mask":"fooBar,bazQux"}"#),
            ("meta", #"{"a": [1, "x"]}"#, #"{"meta":{"a":[1,"x"]}}"#),
            ("dynamic", "[1, true]", #"{"dynamic":[1,true]}"#),
            ("dynamic", "hello", #"{"dynamic":"hello"}"#),
            (
                "detail", #"{"@type":"type.googleapis.com/test.kitchen.Sink.Nested","id":2}"#,
                #"{"detail":{"@type":"type.googleapis.com/test.kitchen.Sink.Nested","id":2}}"#
            ),
            ("nothing", "", #"{"nothing":{}}"#),
            ("nothing", "{}", #"{"nothing":{}}"#),
        ])
    func setsEveryKind(path: String, text: String, json: String) throws {
        var message = try Self.sink()
        try message.set(path: path, text: text)
        #expect(try message.jsonString() == json)
    }

    @Test(
        "text that does not fit fails with the field path and the value",
        arguments: [
            ("f_bool", "maybe", #"f_bool: invalid bool "maybe" (expected true or false)"#),
            ("f_bool", "1", #"f_bool: invalid bool "1" (expected true or false)"#),
            ("f_int32", "2147483648", "f_int32: 2147483648 is out of range for int32 (-2147483648 to 2147483647)"),
            ("f_int32", "-0x80000001", "f_int32: -0x80000001 is out of range for int32 (-2147483648 to 2147483647)"),
            (
                "f_sfixed32", "3000000000",
                "f_sfixed32: 3000000000 is out of range for sfixed32 (-2147483648 to 2147483647)"
            ),
            ("f_uint32", "-1", "f_uint32: -1 is out of range for uint32 (0 to 4294967295)"),
            ("f_fixed32", "4294967296", "f_fixed32: 4294967296 is out of range for fixed32 (0 to 4294967295)"),
            (
                "f_int64", "99999999999999999999",
                "f_int64: 99999999999999999999 is out of range for int64 (-9223372036854775808 to 9223372036854775807)"
            ),
            (
                "f_uint64", "18446744073709551616",
                "f_uint64: 18446744073709551616 is out of range for uint64 (0 to 18446744073709551615)"
            ),
            ("f_int32", "12a", #"f_int32: invalid int32 "12a""#),
            ("f_int32", "1.0", #"f_int32: invalid int32 "1.0""#),
            ("f_int32", "", #"f_int32: invalid int32 """#),
            ("f_int32", "-", #"f_int32: invalid int32 "-""#),
            ("f_float", "1e39", "f_float: 1e39 is out of range for float"),
            ("f_double", "1e309", "f_double: 1e309 is out of range for double"),
            ("f_double", "abc", #"f_double: invalid double "abc""#),
            ("f_double", "0x1p3", #"f_double: invalid double "0x1p3""#),
            ("f_double", " 1", #"f_double: invalid double " 1""#),
            ("f_bytes", "@@", #"f_bytes: invalid base64 "@@""#),
            ("f_bytes", "a", #"f_bytes: invalid base64 "a""#),
            (
                "precision", "decimal_3",
                #"precision: unknown value "decimal_3" for enum test.kitchen.Precision (expected one of PRECISION_UNSPECIFIED, PRECISION_INTEGER, PRECISION_DECIMAL_2)"#
            ),
            ("precision", "99999999999", "precision: 99999999999 is out of range for enum (-2147483648 to 2147483647)"),
            ("nope", "1", #"nope: no field named "nope" in test.kitchen.Sink"#),
            ("nested.nope", "1", #"nested.nope: no field named "nope" in test.kitchen.Sink.Nested"#),
            ("by_id[1].nope", "1", #"by_id[1].nope: no field named "nope" in test.kitchen.Sink.Nested"#),
            ("r_nested[0].id", "x", #"r_nested[0].id: invalid int32 "x""#),
            ("f_int32.x", "1", #"f_int32: has type int32, not a message, so it has no field "x""#),
            ("labels.x", "1", #"labels: has type map<string, int32>, whose values have no field "x""#),
            ("by_id.name", "x", "by_id: is a map; name an entry with a key, as in by_id[key].name"),
            ("labels", "novalue", #"labels: expected key=value for map<string, int32>, got "novalue""#),
            ("labels", "a=x", #"labels[a]: invalid int32 "x""#),
            ("labels", "a=", #"labels[a]: invalid int32 """#),
            ("by_id", "x={}", #"by_id[x]: invalid map key: invalid int64 "x""#),
            ("flags", "yes=1", #"flags[yes]: invalid map key: invalid bool "yes" (expected true or false)"#),
            ("f_int32[0]", "1", "f_int32: is not a list or a map, so [0] does not apply"),
            ("nested[0].id", "1", "nested: is not a list or a map, so [0] does not apply"),
            ("r_int32[5]", "1", "r_int32: index 5 is past the end of the list (0 elements; 0 appends)"),
            ("r_nested[x].id", "1", #"r_nested: invalid list index "x""#),
            (
                "at", "2025-13-01T00:00:00Z",
                #"at: invalid timestamp "2025-13-01T00:00:00Z" (expected RFC 3339, such as 2025-03-01T00:00:00Z)"#
            ),
            (
                "at", "2025-03-01T24:00:00Z",
                #"at: invalid timestamp "2025-03-01T24:00:00Z" (expected RFC 3339, such as 2025-03-01T00:00:00Z)"#
            ),
            (
                "at", "2025-03-01T00:00:00",
                #"at: invalid timestamp "2025-03-01T00:00:00" (expected RFC 3339, such as 2025-03-01T00:00:00Z)"#
            ),
            (
                "at", "2025-03-01T00:00:00.1234567890Z",
                #"at: invalid timestamp "2025-03-01T00:00:00.1234567890Z" (expected RFC 3339, such as 2025-03-01T00:00:00Z)"#
            ),
            (
                "at", "0000-12-31T23:59:59Z",
                #"at: timestamp "0000-12-31T23:59:59Z" is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z"#
            ),
            ("took", "1.5", #"took: invalid duration "1.5" (expected seconds with an s suffix, such as 1.5s)"#),
            ("took", "315576000001s", #"took: duration "315576000001s" is longer than 315576000000s"#),
            ("big", "x", #"big: invalid int64 "x""#),
            ("enabled", "yes", #"enabled: invalid bool "yes" (expected true or false)"#),
            ("nested", #"{"id":"x"}"#, #"nested.id: invalid int32 "x""#),
            (
                "nested", "not json",
                "nested: expected a JSON object for test.kitchen.Sink.Nested: JSON syntax error at line 1, column 1: invalid literal, expected null"
            ),
            ("a..b", "1", #"invalid field path "a..b" (expected names separated by dots, such as capabilities.ppu)"#),
            ("", "1", #"invalid field path "" (expected names separated by dots, such as capabilities.ppu)"#),
            (
                "labels[a", "1",
                #"invalid field path "labels[a" (expected names separated by dots, such as capabilities.ppu)"#
            ),
        ])
    func rejects(path: String, text: String, message: String) throws {
        var sink = try Self.sink()
        #expect {
            try sink.set(path: path, text: text)
        } throws: { error in
            (error as? DynamicMessageError)?.message == message
        }
    }

    @Test("error codes say what kind of failure it was")
    func errorCodes() throws {
        var sink = try Self.sink()
        let cases: [(String, String, DynamicMessageError.Code)] = [
            ("f_int32", "x", .invalidValue), ("f_int32", "9999999999", .outOfRange), ("nope", "1", .unknownField),
            ("f_int32.x", "1", .wrongType), ("nested", "{", .malformedJSON),
        ]
        for (path, text, code) in cases {
            do {
                try sink.set(path: path, text: text)
                Issue.record("\(path) = \(text) was accepted")
            } catch {
                #expect(error.code == code, "\(path) = \(text)")
            }
        }
        #expect(sink.isEmpty)
    }

    @Test("repeated fields append on each set; an index replaces or appends")
    func repeated() throws {
        var message = try Self.sink()
        try message.set(path: "r_int32", text: "1")
        try message.set(path: "r_int32", text: "2")
        try message.set(path: "r_int32[0]", text: "9")
        try message.set(path: "r_int32[2]", text: "3")
        try message.set(path: "r_string", text: "a,b")
        #expect(try message.jsonString() == #"{"rInt32":[9,2,3],"rString":["a,b"]}"#)
    }

    @Test("a path through a repeated message continues the last element until a field repeats")
    func repeatedMessages() throws {
        var message = try Self.sink()
        try message.set(path: "r_nested.id", text: "1")
        try message.set(path: "r_nested.name", text: "a")
        try message.set(path: "r_nested.id", text: "2")
        #expect(try message.jsonString() == #"{"rNested":[{"id":1,"name":"a"},{"id":2}]}"#)
        try message.set(path: "r_nested[0].name", text: "b")
        try message.set(path: "r_nested[2].name", text: "c")
        #expect(try message.jsonString() == #"{"rNested":[{"id":1,"name":"b"},{"id":2},{"name":"c"}]}"#)
    }

    @Test("map entries are set by key=value or by key in brackets; a key set again is replaced")
    func maps() throws {
        var message = try Self.sink()
        try message.set(path: "labels", text: "b=2")
        try message.set(path: "labels", text: "a=1")
        try message.set(path: "labels[b]", text: "3")
        try message.set(path: "by_id[7].name", text: "seven")
        try message.set(path: "by_id[7].id", text: "7")
        try message.set(path: "flags", text: "false=")
        #expect(
            try message.jsonString()
                == #"{"labels":{"a":1,"b":3},"byId":{"7":{"id":7,"name":"seven"}},"flags":{"false":""}}"#)
    }

    @Test("setting a oneof member clears the other one")
    func oneof() throws {
        var message = try Self.sink()
        try message.set(path: "choice_text", text: "a")
        try message.set(path: "choice_nested.id", text: "1")
        #expect(try message.jsonString() == #"{"choiceNested":{"id":1}}"#)
        try message.set(path: "choice_text", text: "")
        // Oneof members have presence: an empty string is still the chosen member.
        #expect(try message.jsonString() == #"{"choiceText":""}"#)
    }

    @Test("typed setters check the value against the field")
    func typedSetters() throws {
        var message = try Self.sink()
        let schema = message.schema
        try message.set(try Fixtures.field(schema, "f_int64"), to: .int64(5))
        try message.append(.string("x"), to: try Fixtures.field(schema, "r_string"))
        try message.setEntry(key: .string("k"), value: .int32(1), in: try Fixtures.field(schema, "labels"))
        try message.setValues([.int32(3), .int32(4)], for: try Fixtures.field(schema, "r_int32"))
        #expect(try message.jsonString() == #"{"fInt64":"5","rInt32":[3,4],"rString":["x"],"labels":{"k":1}}"#)

        let failures: [(() throws -> Void, String)] = [
            (
                { try message.set(try Fixtures.field(schema, "f_int64"), to: .int32(5)) },
                "f_int64: has type int64, which cannot hold a value of type int32"
            ),
            (
                { try message.set(try Fixtures.field(schema, "r_int32"), to: .int32(5)) },
                "r_int32: has type repeated int32; append to it or set its entries instead"
            ),
            (
                { try message.append(.int32(1), to: try Fixtures.field(schema, "f_int32")) },
                "f_int32: has type int32, not a list"
            ),
            (
                { try message.setEntry(key: .int32(1), value: .int32(1), in: try Fixtures.field(schema, "labels")) },
                "labels: has type string, which cannot hold a value of type int32"
            ),
            (
                {
                    try message.setEntry(key: .string("a"), value: .int32(1), in: try Fixtures.field(schema, "r_int32"))
                }, "r_int32: has type repeated int32, not a map"
            ),
            (
                {
                    let payload = DynamicMessage(
                        schema: try Fixtures.message(try Fixtures.contracts(), "grpc.testing.Payload"))
                    try message.set(try Fixtures.field(schema, "nested"), to: .message(payload))
                }, "nested: has type test.kitchen.Sink.Nested, which cannot hold a value of type grpc.testing.Payload"
            ),
        ]
        for (body, expected) in failures {
            #expect { try body() } throws: { error in (error as? DynamicMessageError)?.message == expected }
        }
    }

    @Test("clearing a field removes it")
    func clear() throws {
        var message = try Self.sink()
        try message.set(path: "f_int32", text: "1")
        try message.set(path: "nested.id", text: "1")
        message.clear(try Fixtures.field(message.schema, "nested"))
        #expect(message.setFields.map(\.name) == ["f_int32"])
        // An unset message field reads as an empty message of its type.
        let nested = try #require(message.value(try Fixtures.field(message.schema, "nested")).messageValue)
        #expect(nested.isEmpty && nested.schema.fullName == "test.kitchen.Sink.Nested")
    }

    @Test("flags build the product's own requests, as generated code reads them")
    func usageflowRequests() throws {
        let pool = try Fixtures.contracts()
        let createProduct = try #require(pool.method(path: "usageflow.v1.VendorService/CreateProduct"))
        var product = DynamicMessage(schema: createProduct.input)
        try product.set(path: "name", text: "Cloud backup")
        try product.set(path: "capabilities.ppu", text: "true")
        try product.set(path: "capabilities.schema", text: "tr")
        try product.set(path: "capabilities.tier-levels", text: "2")
        let generated = try Usageflow_V1_CreateProductRequest(serializedBytes: product.serializedBytes())
        #expect(generated.name == "Cloud backup")
        #expect(generated.capabilities.ppu)
        #expect(generated.capabilities.schema.rawValue == 2)
        #expect(generated.capabilities.tierLevels == 2)

        let createItem = try #require(pool.method(path: "/usageflow.v1.VendorService/CreateItem"))
        var item = DynamicMessage(schema: createItem.input)
        try item.set(path: "precision", text: "decimal_2")
        try item.set(path: "type", text: "PPU")
        let generatedItem = try Usageflow_V1_CreateItemRequest(serializedBytes: item.serializedBytes())
        #expect(generatedItem.precision.rawValue == 3)
        #expect(generatedItem.type.rawValue == 1)
        #expect(try item.jsonString() == #"{"type":"ITEM_TYPE_PPU","precision":"PRECISION_DECIMAL_2"}"#)
    }
}

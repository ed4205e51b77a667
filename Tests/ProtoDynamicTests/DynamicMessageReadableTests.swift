// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamicTests

import Contracts
import ProtoDynamic
import Testing

@Suite("DynamicMessage readable text")
struct DynamicMessageReadableTests {
    @Test("fields print as name: value lines in field order, nested messages indented")
    func kitchen() throws {
        let pool = try Fixtures.kitchen()
        var message = DynamicMessage(schema: try Fixtures.message(pool, "test.kitchen.Sink"))
        let flags: [(String, String)] = [
            ("enabled", "false"), ("f_string", "a b"), ("f_int32", "-1"), ("f_bytes", "AAE="),
            ("precision", "decimal_2"),
            ("nested.id", "1"), ("r_int32", "1"), ("r_int32", "2"), ("r_nested[0].id", "1"), ("r_nested", "{}"),
            ("labels", "b=2"), ("labels", "a=1"), ("by_id[10].name", "ten"), ("at", "2025-03-01T00:00:00Z"),
            ("took", "1.5s"), ("big", "5"), ("meta", #"{"k": 1}"#), ("mask", "a_b"),
            ("detail", #"{"@type": "type.googleapis.com/test.kitchen.Sink.Nested", "id": 5}"#), ("nothing", ""),
            ("r_string", "x"), ("f_double", "nan"), ("note", "quote\"d"),
        ]
        for (path, text) in flags { try message.set(path: path, text: text) }
        #expect(
            message.readableText() == """
                f_double: nan
                f_int32: -1
                f_string: "a b"
                f_bytes: AAE= (2 bytes)
                precision: PRECISION_DECIMAL_2
                nested:
                  id: 1
                r_int32: [1, 2]
                r_string: ["x"]
                r_nested[0]:
                  id: 1
                r_nested[1]: {}
                labels["a"]: 1
                labels["b"]: 2
                by_id[10]:
                  name: "ten"
                at: 2025-03-01T00:00:00Z
                took: 1.500s
                big: 5
                note: "quote\\"d"
                meta: {"k":1}
                mask: "a_b"
                detail: (test.kitchen.Sink.Nested)
                  id: 5
                nothing: {}
                enabled: false
                """)
    }

    @Test("a google.rpc.Status opens its details")
    func status() throws {
        let pool = try Fixtures.contracts()
        let status = try DynamicMessage(
            schema: try Fixtures.message(pool, "google.rpc.Status"),
            jsonString: """
                {"code": 3, "message": "invalid name", "details": [
                  {"@type": "type.googleapis.com/google.rpc.BadRequest",
                   "fieldViolations": [{"field": "name", "description": "must not be empty"}]},
                  {"@type": "type.googleapis.com/acme.Unknown", "value": "CAE="}
                ]}
                """)
        #expect(
            status.readableText() == """
                code: 3
                message: "invalid name"
                details[0]: (google.rpc.BadRequest)
                  field_violations[0]:
                    field: "name"
                    description: "must not be empty"
                details[1]: (type.googleapis.com/acme.Unknown, 2 bytes)
                """)
    }

    @Test("empty messages, defaults, unknown enum numbers and unknown fields")
    func edges() throws {
        let pool = try Fixtures.contracts()
        let schema = try Fixtures.message(pool, "grpc.testing.Payload")
        #expect(DynamicMessage(schema: schema).readableText() == "{}")
        #expect(
            DynamicMessage(schema: schema).readableText(includeDefaults: true) == "type: COMPRESSABLE\nbody: (0 bytes)")
        // type = 5 (unnamed), then field 9 unknown.
        let message = try DynamicMessage(schema: schema, serializedBytes: [0x08, 0x05, 0x48, 0x01])
        #expect(message.readableText() == "type: 5\n(unknown fields: 2 bytes)")
    }

    @Test("an Any holding a well-known type prints its one-line form")
    func wellKnownInAny() throws {
        let pool = try Fixtures.kitchen()
        let message = try DynamicMessage(
            schema: try Fixtures.message(pool, "test.kitchen.Sink"),
            jsonString: #"{"detail": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "3s"}}"#)
        #expect(message.readableText() == "detail: (google.protobuf.Duration) 3s")
    }
}

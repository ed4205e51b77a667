// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamicTests

import Contracts
import ProtoCompiler
import ProtoDynamic
import ProtoWire
import Testing
import WellKnownTypes

@Suite("DescriptorPool")
struct DescriptorPoolTests {
    @Test("resolves fully-qualified names, with or without the leading dot, nested ones too")
    func resolvesNames() throws {
        let pool = try Fixtures.contracts()
        #expect(pool.message(named: "grpc.testing.SimpleRequest")?.fullName == "grpc.testing.SimpleRequest")
        #expect(pool.message(named: ".grpc.testing.SimpleRequest")?.name == "SimpleRequest")
        let nested = try #require(pool.message(named: ".grpc.testing.LoadBalancerStatsResponse.RpcsByPeer"))
        #expect(nested.fullName == "grpc.testing.LoadBalancerStatsResponse.RpcsByPeer")
        #expect(nested.fileName == "grpc/testing/messages.proto")
        #expect(
            pool.enumType(named: ".grpc.health.v1.HealthCheckResponse.ServingStatus")?.values.map(\.name)
                == ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"])
        #expect(pool.message(named: "google.protobuf.Timestamp") != nil)
        #expect(pool.message(named: "grpc.testing.NoSuchMessage") == nil)
        #expect(pool.enumType(named: "grpc.testing.SimpleRequest") == nil)
        #expect(pool.message(named: "grpc.testing.PayloadType") == nil)
    }

    @Test("describes fields: numbers, JSON names, kinds, maps, presence, packing, oneofs")
    func describesFields() throws {
        let pool = try Fixtures.kitchen()
        let sink = try Fixtures.message(pool, "test.kitchen.Sink")
        #expect(sink.fields.map(\.number) == Array(1...40))

        let labels = try Fixtures.field(sink, "labels")
        #expect(labels.isMap && labels.isRepeated)
        #expect(labels.typeDescription == "map<string, int32>")
        #expect(labels.mapKey?.kind == .string)
        #expect(labels.mapValue?.kind == .int32)
        #expect(try Fixtures.field(sink, "by_id").typeDescription == "map<int64, test.kitchen.Sink.Nested>")

        let int32s = try Fixtures.field(sink, "r_int32")
        #expect(int32s.isPacked && !int32s.isMap)
        #expect(int32s.typeDescription == "repeated int32")
        #expect(try !Fixtures.field(sink, "r_sint64").isPacked)
        #expect(try !Fixtures.field(sink, "r_string").isPacked)

        #expect(try Fixtures.field(sink, "f_int64").jsonName == "fInt64")
        #expect(sink.field(named: "fInt64") == sink.field(named: "f_int64"))
        #expect(try !Fixtures.field(sink, "f_int32").hasPresence)
        #expect(try Fixtures.field(sink, "maybe").hasPresence)
        #expect(try Fixtures.field(sink, "nested").hasPresence)
        #expect(try Fixtures.field(sink, "precision").typeDescription == "enum test.kitchen.Precision")

        // The synthetic oneof of `optional int32 maybe` is not a real oneof.
        #expect(sink.oneofs.map(\.name) == ["choice"])
        #expect(sink.oneofs.first?.fields.map(\.name) == ["choice_text", "choice_nested"])
        #expect(try Fixtures.field(sink, "maybe").oneof == nil)
        #expect(try Fixtures.field(sink, "choice_nested").oneof?.name == "choice")

        let legacy = try Fixtures.message(pool, "test.legacy.Legacy")
        #expect(try Fixtures.field(legacy, "count").hasPresence)
        #expect(pool.enumType(named: "test.legacy.Color")?.isClosed == true)
        #expect(pool.enumType(named: "test.kitchen.Precision")?.isClosed == false)
    }

    @Test("lists services and their methods with cardinalities")
    func listsServices() throws {
        let pool = try Fixtures.contracts()
        let names = pool.services.map(\.fullName)
        #expect(names.contains("grpc.health.v1.Health"))
        #expect(names.contains("grpc.testing.TestService"))
        #expect(names.contains("grpc.reflection.v1.ServerReflection"))
        #expect(names == names.sorted())

        let test = try #require(pool.service(named: "grpc.testing.TestService"))
        #expect(test.name == "TestService")
        let kinds = Dictionary(uniqueKeysWithValues: test.methods.map { ($0.name, $0.kind) })
        #expect(kinds["UnaryCall"] == .unary)
        #expect(kinds["StreamingOutputCall"] == .serverStreaming)
        #expect(kinds["StreamingInputCall"] == .clientStreaming)
        #expect(kinds["FullDuplexCall"] == .bidirectionalStreaming)
        #expect(test.schema.methods.count == test.methods.count)
    }

    @Test(
        "finds a method by path",
        arguments: [
            "grpc.testing.TestService/UnaryCall", "/grpc.testing.TestService/UnaryCall",
            "grpc.testing.TestService.UnaryCall",
        ])
    func findsMethod(path: String) throws {
        let pool = try Fixtures.contracts()
        let method = try #require(pool.method(path: path))
        #expect(method.name == "UnaryCall")
        #expect(method.service.fullName == "grpc.testing.TestService")
        #expect(method.input.fullName == "grpc.testing.SimpleRequest")
        #expect(method.output.fullName == "grpc.testing.SimpleResponse")
        #expect(!method.clientStreaming && !method.serverStreaming)
        #expect(method.path == "/grpc.testing.TestService/UnaryCall")
        #expect(
            method.schema
                == MethodSchema(
                    service: "grpc.testing.TestService", name: "UnaryCall", kind: .unary,
                    inputType: "grpc.testing.SimpleRequest", outputType: "grpc.testing.SimpleResponse"))
    }

    @Test(
        "does not find what is not there",
        arguments: [
            "grpc.testing.TestService/NoSuchCall", "grpc.testing.NoService/UnaryCall", "UnaryCall", "",
            "grpc.testing.TestService/", "/",
        ])
    func missingMethod(path: String) throws {
        #expect(try Fixtures.contracts().method(path: path) == nil)
    }

    @Test("the health check method matches the generated schema")
    func healthSchema() throws {
        let method = try #require(try Fixtures.contracts().method(path: "grpc.health.v1.Health/Check"))
        #expect(method.schema == Grpc_Health_V1_Health.Check.schema)
    }

    @Test("a missing import is reported with the field that needs it")
    func unresolvedType() throws {
        // status.proto imports any.proto, which is left out.
        #expect {
            try DescriptorPool(files: ContractsProtoFiles.all)
        } throws: { error in
            let error = try #require(error as? DescriptorPoolError)
            return error.code == .unresolvedType
                && error.message
                    == "field google.rpc.Status.details refers to the unknown message type .google.protobuf.Any"
        }
    }

    @Test("an unknown enum type and an unknown method type are reported")
    func unresolvedEnumAndMethod() throws {
        var file = Fixtures.kitchenFile()
        file.enums = []
        #expect(throws: DescriptorPoolError.self) {
            try DescriptorPool(files: WellKnownTypesProtoFiles.all, descriptors: [file])
        }
        do {
            _ = try DescriptorPool(files: WellKnownTypesProtoFiles.all, descriptors: [file])
        } catch {
            #expect(error.code == .unresolvedType)
            #expect(error.message.contains("unknown enum type .test.kitchen.Precision"))
        }

        var methodFile = Fixtures.kitchenFile()
        methodFile.services[0].methods[0].outputType = ".test.kitchen.Missing"
        do {
            _ = try DescriptorPool(files: WellKnownTypesProtoFiles.all, descriptors: [methodFile])
            Issue.record("expected an error")
        } catch {
            #expect(
                error.message
                    == "method test.kitchen.Kitchen/Cook refers to the unknown message type .test.kitchen.Missing")
        }
    }

    @Test("a name defined twice is an error; the same file listed twice is not")
    func duplicates() throws {
        let twice = try DescriptorPool(files: WellKnownTypesProtoFiles.all + WellKnownTypesProtoFiles.all)
        #expect(twice.fileNames == WellKnownTypesProtoFiles.all.map(\.name))

        var clash = Fixtures.legacyFile()
        clash.name = "test/other.proto"
        clash.package = "test.kitchen"
        clash.enums = []
        clash.messages[0].name = "Sink"
        do {
            _ = try DescriptorPool(files: WellKnownTypesProtoFiles.all, descriptors: [Fixtures.kitchenFile(), clash])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .duplicateName)
            #expect(error.message == "test.kitchen.Sink is defined twice (again in test/other.proto)")
        }
    }

    @Test("a descriptor that does not decode is reported with its file name")
    func malformed() throws {
        let broken = FileDescriptorData(
            name: "broken.proto", dependencies: [], serializedDescriptor: [0x0A, 0x05, 0x61])
        do {
            _ = try DescriptorPool(files: [broken])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedDescriptor)
            #expect(error.message.hasPrefix("the descriptor of broken.proto is malformed"))
        }
    }

    @Test("schemas are values: equal within a pool, different across pools")
    func schemaIdentity() throws {
        let pool = try Fixtures.contracts()
        let other = try Fixtures.contracts()
        #expect(pool.message(named: "grpc.testing.Payload") == pool.message(named: ".grpc.testing.Payload"))
        #expect(pool.message(named: "grpc.testing.Payload") != other.message(named: "grpc.testing.Payload"))
        let request = try Fixtures.message(pool, "grpc.testing.SimpleRequest")
        let payload = try Fixtures.field(request, "payload")
        #expect(payload.containingMessage == request)
        #expect(payload.description == "grpc.testing.SimpleRequest.payload")
        #expect(payload.kind == .message(try Fixtures.message(pool, "grpc.testing.Payload")))
    }
}

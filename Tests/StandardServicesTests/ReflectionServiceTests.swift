// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/StandardServices/ReflectionService.swift, ReflectionService+V1.swift
// and ReflectionService+V1Alpha.swift

import Contracts
import ProtoWire
import RPCCore
import StandardServices
import Testing

/// Which reflection service a test talks to. Both speak the same wire format (v1 is v1alpha under
/// a new package), so the tests build v1 messages and send their bytes to either path.
enum ReflectionVersion: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case v1, v1alpha

    var method: MethodSchema {
        switch self {
        case .v1: Grpc_Reflection_V1_ServerReflection.ServerReflectionInfo.schema
        case .v1alpha: Grpc_Reflection_V1alpha_ServerReflection.ServerReflectionInfo.schema
        }
    }

    var testDescription: String { rawValue }
}

@Suite("ReflectionService", .timeLimit(.minutes(1)))
struct ReflectionServiceTests {
    typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
    typealias Response = Grpc_Reflection_V1_ServerReflectionResponse
    typealias Call = InMemoryCall<Request, Response>

    /// A server as `usageflow` builds one: health and an application service first, reflection last.
    static let router: RPCRouter = {
        var router = RPCRouter()
        router.register(HealthService())
        router.register(Grpc_Testing_TestService.UnaryCall.schema) { _ in [:] }
        router.register(ReflectionService(router: router))
        return router
    }()

    static let allServices = [
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
        "grpc.testing.TestService",
    ]

    /// Sends each request on one stream and returns the responses, checking there is exactly one
    /// per request and that each echoes its request and host.
    func ask(_ version: ReflectionVersion, _ requests: [Request]) async throws -> [Response] {
        let call = try Call(Self.router, version.method)
        var responses: [Response] = []
        for request in requests {
            call.send(request)
            // Interactive, as grpcurl is: each answer arrives before the next request is sent.
            responses.append(try #require(try await call.receive()))
        }
        call.finishSending()
        #expect(try await call.receive() == nil)
        _ = try await call.outcome.get()
        for (request, response) in zip(requests, responses) {
            #expect(response.originalRequest == request)
            #expect(response.validHost == request.host)
        }
        return responses
    }

    func ask(_ version: ReflectionVersion, _ request: Request) async throws -> Response {
        try await ask(version, [request])[0]
    }

    static func request(_ query: Request.OneOf_MessageRequest?) -> Request {
        var request = Request()
        request.host = "localhost:8443"
        request.messageRequest = query
        return request
    }

    /// The file names of a descriptor response, read from the descriptor bytes themselves.
    func fileNames(_ response: Response) throws -> [String] {
        guard case .fileDescriptorResponse(let found)? = response.messageResponse else {
            Issue.record("expected file descriptors, got \(String(describing: response.messageResponse))")
            return []
        }
        return try DescriptorNames.fileNames(of: found.fileDescriptorProto)
    }

    func errorCode(_ response: Response) -> Int32? {
        guard case .errorResponse(let error)? = response.messageResponse else { return nil }
        return error.errorCode
    }

    // MARK: list_services

    @Test(arguments: ReflectionVersion.allCases)
    func listServicesNamesEveryRegisteredServiceIncludingHealthAndReflection(_ version: ReflectionVersion) async throws {
        let response = try await ask(version, Self.request(.listServices("")))
        #expect(response.listServicesResponse.service.map(\.name) == Self.allServices)
        #expect(Self.router.serviceNames == Self.allServices)
    }

    // MARK: file_by_filename

    @Test(arguments: ReflectionVersion.allCases)
    func fileByFilenameReturnsTheFileThenEachTransitiveDependencyOnce(_ version: ReflectionVersion) async throws {
        let response = try await ask(version, Self.request(.fileByFilename("grpc/testing/test.proto")))
        #expect(try fileNames(response) == ["grpc/testing/test.proto", "grpc/testing/empty.proto", "grpc/testing/messages.proto"])
    }

    @Test(arguments: ReflectionVersion.allCases)
    func dependenciesCrossIntoTheWellKnownTypes(_ version: ReflectionVersion) async throws {
        let response = try await ask(version, Self.request(.fileByFilename("google/rpc/error_details.proto")))
        #expect(try fileNames(response) == ["google/rpc/error_details.proto", "google/protobuf/duration.proto"])
    }

    @Test(arguments: ReflectionVersion.allCases)
    func anUnknownFileIsNotFound(_ version: ReflectionVersion) async throws {
        let response = try await ask(version, Self.request(.fileByFilename("no/such.proto")))
        #expect(errorCode(response) == 5)
        #expect(response.errorResponse.errorMessage == "file not found: no/such.proto")
    }

    // MARK: file_containing_symbol

    static let symbols: [(symbol: String, file: String)] = [
        ("grpc.testing.SimpleRequest", "grpc/testing/messages.proto"),  // message
        ("grpc.testing.LoadBalancerStatsResponse.RpcsByPeer", "grpc/testing/messages.proto"),  // nested message
        ("google.rpc.BadRequest.FieldViolation", "google/rpc/error_details.proto"),  // nested message
        ("grpc.testing.PayloadType", "grpc/testing/messages.proto"),  // enum
        ("grpc.testing.ClientConfigureRequest.RpcType", "grpc/testing/messages.proto"),  // nested enum
        ("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"),  // nested enum
        ("grpc.health.v1.HealthCheckResponse.SERVICE_UNKNOWN", "grpc/health/v1/health.proto"),  // enum value
        ("grpc.testing.SimpleRequest.response_size", "grpc/testing/messages.proto"),  // field
        ("grpc.testing.TestService", "grpc/testing/test.proto"),  // service
        ("grpc.testing.TestService.UnaryCall", "grpc/testing/test.proto"),  // method
        ("grpc.reflection.v1alpha.ServerReflection", "grpc/reflection/v1alpha/reflection.proto"),  // service
        ("google.protobuf.Timestamp", "google/protobuf/timestamp.proto"),  // well-known type
        (".grpc.health.v1.Health.Watch", "grpc/health/v1/health.proto"),  // leading dot, as in type_name
    ]

    @Test(arguments: ReflectionVersion.allCases, symbols.map(\.symbol))
    func fileContainingSymbolReturnsTheDefiningFileFirst(_ version: ReflectionVersion, _ symbol: String) async throws {
        let expected = try #require(Self.symbols.first { $0.symbol == symbol }?.file)
        let names = try fileNames(try await ask(version, Self.request(.fileContainingSymbol(symbol))))
        #expect(names.first == expected)
        #expect(Set(names).count == names.count)
    }

    @Test(arguments: ReflectionVersion.allCases)
    func aServicesFileComesWithItsDependencies(_ version: ReflectionVersion) async throws {
        let response = try await ask(version, Self.request(.fileContainingSymbol("grpc.testing.TestService")))
        #expect(try fileNames(response) == ["grpc/testing/test.proto", "grpc/testing/empty.proto", "grpc/testing/messages.proto"])
    }

    @Test(arguments: ReflectionVersion.allCases, ["grpc.testing.NoSuchMessage", "grpc.testing", "", "grpc.testing.TestService.NoSuchMethod"])
    func anUnknownSymbolIsNotFound(_ version: ReflectionVersion, _ symbol: String) async throws {
        let response = try await ask(version, Self.request(.fileContainingSymbol(symbol)))
        #expect(errorCode(response) == 5)
        #expect(response.errorResponse.errorMessage == "symbol not found: \(symbol)")
    }

    // MARK: Extensions and malformed queries

    @Test(arguments: ReflectionVersion.allCases)
    func extensionQueriesAnswerFromTheIndex(_ version: ReflectionVersion) async throws {
        var ext = Grpc_Reflection_V1_ExtensionRequest()
        ext.containingType = "grpc.testing.SimpleRequest"
        ext.extensionNumber = 100
        let responses = try await ask(version, [
            Self.request(.fileContainingExtension(ext)),
            Self.request(.allExtensionNumbersOfType("grpc.testing.SimpleRequest")),
            Self.request(.allExtensionNumbersOfType("grpc.testing.NoSuchMessage")),
            Self.request(.allExtensionNumbersOfType("grpc.testing.TestService")),  // not a message
        ])
        #expect(errorCode(responses[0]) == 5)
        guard case .allExtensionNumbersResponse(let numbers)? = responses[1].messageResponse else {
            Issue.record("expected extension numbers, got \(responses[1])")
            return
        }
        #expect(numbers.baseTypeName == "grpc.testing.SimpleRequest")
        #expect(numbers.extensionNumber.isEmpty)
        #expect(errorCode(responses[2]) == 5)
        #expect(errorCode(responses[3]) == 5)
    }

    @Test(arguments: ReflectionVersion.allCases)
    func aRequestWithNoQueryIsAnInvalidArgumentAndTheStreamGoesOn(_ version: ReflectionVersion) async throws {
        let responses = try await ask(version, [Self.request(nil), Self.request(.listServices("*"))])
        #expect(errorCode(responses[0]) == 3)
        #expect(responses[1].listServicesResponse.service.count == Self.allServices.count)
    }

    @Test(arguments: ReflectionVersion.allCases)
    func manyQueriesOnOneStreamGetOneAnswerEachInOrder(_ version: ReflectionVersion) async throws {
        let requests = [
            Self.request(.listServices("")),
            Self.request(.fileContainingSymbol("grpc.health.v1.Health")),
            Self.request(.fileContainingSymbol("nope.Nope")),
            Self.request(.fileByFilename("google/protobuf/empty.proto")),
        ]
        let responses = try await ask(version, requests)
        #expect(responses.count == 4)
        #expect(!responses[0].listServicesResponse.service.isEmpty)
        #expect(try fileNames(responses[1]) == ["grpc/health/v1/health.proto"])
        #expect(errorCode(responses[2]) == 5)
        #expect(try fileNames(responses[3]) == ["google/protobuf/empty.proto"])
    }

    // MARK: v1alpha through its own generated types

    @Test func v1alphaAnswersInItsOwnMessageTypes() async throws {
        typealias AlphaCall = InMemoryCall<Grpc_Reflection_V1alpha_ServerReflectionRequest, Grpc_Reflection_V1alpha_ServerReflectionResponse>
        var request = Grpc_Reflection_V1alpha_ServerReflectionRequest()
        request.host = "example.test"
        request.fileContainingSymbol = "grpc.testing.SimpleResponse"
        let responses = try await AlphaCall(Self.router, ReflectionVersion.v1alpha.method).exchange(request)
        let response = try #require(responses.first)
        #expect(responses.count == 1)
        #expect(response.validHost == "example.test")
        #expect(response.originalRequest == request)
        let names = try DescriptorNames.fileNames(of: response.fileDescriptorResponse.fileDescriptorProto)
        #expect(names == ["grpc/testing/messages.proto"])
    }

    // MARK: Construction

    @Test func explicitServiceNamesAreListedWithReflectionsOwnAndDeduplicated() {
        let reflection = ReflectionService(serviceNames: ["grpc.testing.TestService", "grpc.health.v1.Health", "grpc.testing.TestService"])
        #expect(reflection.listedServices == Self.allServices)
        #expect(reflection.servicesWithoutDescriptors.isEmpty)
        #expect(reflection.undecodableFiles.isEmpty)
    }

    @Test func servicesWithoutAProtoFileAreReported() {
        let reflection = ReflectionService(files: [], serviceNames: ["usageflow.v1.VendorService"])
        #expect(reflection.servicesWithoutDescriptors == [
            "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "usageflow.v1.VendorService",
        ])
    }

    @Test func eitherVersionCanBeRegisteredAlone() {
        var router = RPCRouter()
        router.register(ReflectionService(serviceNames: []).v1alpha)
        #expect(router.serviceNames == ["grpc.reflection.v1alpha.ServerReflection"])
    }
}

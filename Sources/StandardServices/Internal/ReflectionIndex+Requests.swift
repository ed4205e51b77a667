// SPDX-License-Identifier: Apache-2.0
// UsageFlow — StandardServices

import Contracts
import RPCCore

extension ReflectionIndex {
    typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
    typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

    /// The one response to one reflection request.
    ///
    /// Failures are answers, not call errors: the reflection protocol carries them in
    /// `error_response` so one bad name never ends a stream that a tool is using for many lookups.
    /// Written against the v1 messages; v1alpha is wire-identical and converts through bytes.
    func answer(_ request: Request) -> Response {
        var response = Response()
        response.validHost = request.host
        response.originalRequest = request
        switch request.messageRequest {
        case .fileByFilename(let name):
            response.messageResponse = descriptorsResponse(
                descriptorsWithDependencies(ofFile: name), orNotFound: "file not found: \(name)")
        case .fileContainingSymbol(let symbol):
            response.messageResponse = descriptorsResponse(
                fileName(containingSymbol: symbol).flatMap(descriptorsWithDependencies(ofFile:)),
                orNotFound: "symbol not found: \(symbol)")
        case .fileContainingExtension(let ext):
            response.messageResponse = descriptorsResponse(
                fileName(containingExtension: ext.extensionNumber, of: ext.containingType)
                    .flatMap(descriptorsWithDependencies(ofFile:)),
                orNotFound: "extension not found: \(ext.containingType) \(ext.extensionNumber)")
        case .allExtensionNumbersOfType(let type):
            if let numbers = extensionNumbers(of: type) {
                var found = Grpc_Reflection_V1_ExtensionNumberResponse()
                found.baseTypeName = type
                found.extensionNumber = numbers
                response.messageResponse = .allExtensionNumbersResponse(found)
            } else {
                response.messageResponse = Self.error(.notFound, "type not found: \(type)")
            }
        case .listServices:
            var list = Grpc_Reflection_V1_ListServiceResponse()
            list.service = serviceNames.map { name in
                var service = Grpc_Reflection_V1_ServiceResponse()
                service.name = name
                return service
            }
            response.messageResponse = .listServicesResponse(list)
        case nil:
            response.messageResponse = Self.error(.invalidArgument, "the request names no reflection query")
        }
        return response
    }

    private func descriptorsResponse(_ descriptors: [[UInt8]]?, orNotFound message: String) -> Response.OneOf_MessageResponse {
        guard let descriptors else { return Self.error(.notFound, message) }
        var found = Grpc_Reflection_V1_FileDescriptorResponse()
        found.fileDescriptorProto = descriptors
        return .fileDescriptorResponse(found)
    }

    /// An `error_response`, whose code is a gRPC status code.
    private static func error(_ code: Status.Code, _ message: String) -> Response.OneOf_MessageResponse {
        var error = Grpc_Reflection_V1_ErrorResponse()
        error.errorCode = Int32(code.rawValue)
        error.errorMessage = message
        return .errorResponse(error)
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — StandardServices

import Contracts
import ProtoWire
import RPCCore
import WellKnownTypes

/// Server reflection (`grpc.reflection.v1` and `grpc.reflection.v1alpha`), so grpcurl, Postman and
/// grpcio tooling can call the server without local `.proto` files.
///
/// Both versions are served from one index because tools differ in which they know (the Python
/// `grpcio-reflection` client speaks only v1alpha). Reflection reports the services of the final
/// router, so build it after every other service is registered:
///
/// ```swift
/// var router = RPCRouter()
/// router.register(health)
/// router.register(vendorService)
/// router.register(ReflectionService(router: router))
/// ```
public struct ReflectionService: RegistrableRPCService {
    /// The names of the two reflection services this registers.
    public static let ownServiceNames = [Grpc_Reflection_V1_ServerReflection.name, Grpc_Reflection_V1alpha_ServerReflection.name]

    /// Every proto file generated into this repository's modules (contracts and the well-known
    /// types they import), which is what a server built from them can describe.
    public static var bundledFiles: [FileDescriptorData] { ContractsProtoFiles.all + WellKnownTypesProtoFiles.all }

    let index: ReflectionIndex

    /// Reflection over `files` that lists `serviceNames` plus its own two services.
    ///
    /// Descriptors that do not decode are still served by file name; see `undecodableFiles`.
    public init(files: [FileDescriptorData] = ReflectionService.bundledFiles, serviceNames: [String]) {
        index = ReflectionIndex(files: files, serviceNames: serviceNames + Self.ownServiceNames)
    }

    /// Reflection that lists every service registered on `router` so far, plus its own two.
    public init(router: RPCRouter, files: [FileDescriptorData] = ReflectionService.bundledFiles) {
        self.init(files: files, serviceNames: router.serviceNames)
    }

    /// The service names `list_services` answers with, sorted.
    public var listedServices: [String] { index.serviceNames }

    /// Listed services that none of the files defines: tools can see their names but not call
    /// them. Worth logging at start-up; empty when every service's proto file was passed in.
    public var servicesWithoutDescriptors: [String] { index.servicesWithoutDescriptors }

    /// Files whose descriptor bytes did not decode, so their symbols cannot be looked up.
    public var undecodableFiles: [String] { index.undecodableFiles }

    /// The `grpc.reflection.v1` service alone.
    public var v1: V1 { V1(index: index) }

    /// The `grpc.reflection.v1alpha` service alone.
    public var v1alpha: V1Alpha { V1Alpha(index: index) }

    /// Registers both versions.
    public func registerMethods(with router: inout RPCRouter) {
        router.register(v1)
        router.register(v1alpha)
    }
}

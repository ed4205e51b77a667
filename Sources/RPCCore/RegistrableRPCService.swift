// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

/// A service implementation that knows how to add its methods to a router. Generated service
/// protocols refine this and implement it, so implementing the protocol is all a service does.
public protocol RegistrableRPCService: Sendable {
    func registerMethods(with router: inout RPCRouter)
}

extension RPCRouter {
    public mutating func register(_ service: some RegistrableRPCService) {
        service.registerMethods(with: &self)
    }
}

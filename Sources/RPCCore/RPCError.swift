// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

/// A call that ended with a status other than OK.
///
/// The message goes to the client as `grpc-message`, so it must never carry internals (SQL, C
/// library text, stack traces); those belong in the log.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Status.Code
    public var message: String
    /// Trailing metadata sent with the status.
    public var metadata: Metadata
    /// A serialized `google.rpc.Status` sent as `grpc-status-details-bin` (rich error details such
    /// as `google.rpc.BadRequest`), or nil.
    public var statusDetails: [UInt8]?

    public init(code: Status.Code, message: String, metadata: Metadata = [:], statusDetails: [UInt8]? = nil) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.statusDetails = statusDetails
    }

    public var status: Status { Status(code: code, message: message) }

    public var description: String { "\(code): \(message)" }
}

/// An error that knows which gRPC status it stands for.
///
/// Domain and authorization errors conform to this in one place, so the mapping from what went
/// wrong to what the client sees lives at a single seam. Anything that does not conform reaches the
/// client as UNKNOWN with a generic message.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError: RPCErrorConvertible {
    public var rpcError: RPCError { self }
}

extension RPCError {
    /// The error a handler's thrown error becomes on the wire.
    public static func from(_ error: any Error) -> RPCError {
        if let convertible = error as? any RPCErrorConvertible { return convertible.rpcError }
        if error is CancellationError { return RPCError(code: .cancelled, message: "the call was cancelled") }
        return RPCError(code: .unknown, message: "the server failed to handle the call")
    }
}

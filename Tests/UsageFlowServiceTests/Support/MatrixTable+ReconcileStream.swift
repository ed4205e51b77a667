// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore

// The ReconciliationService.Reconcile row of the authorization matrix. The stream answers a close
// it cannot apply with that close's own status and goes on, so the row sends one close and turns
// a refused close into the call's error: the cell then checks the status a single close gets, as
// for CloseRecord. Only a service identity passes the policy; every key, a distributor's too, is
// refused before the stream starts.

extension MatrixRow {
    /// A bidirectional row that sends one request and reads its one result; a result whose status
    /// is not OK becomes the call's error.
    static func makeReconcileStream(
        _ method: MethodSchema, _ shape: MatrixShape,
        _ request: @escaping @Sendable (MatrixRequestContext) async throws -> Usageflow_V1_ReconcileRequest
    ) -> MatrixRow {
        MatrixRow(method: method, shape: shape, overrides: [], isList: false) { context in
            let message = try await request(context)
            return MatrixCall { client, options in
                let (writer, responses) = try await client.streaming(
                    method, options: options, input: Usageflow_V1_ReconcileRequest.self,
                    output: Usageflow_V1_ReconcileResponse.self)
                try await writer.write(message)
                try await writer.finish()
                var replies: [Usageflow_V1_ReconcileResponse] = []
                for try await reply in responses { replies.append(reply) }
                guard replies.count == 1, let reply = replies.first else {
                    throw RPCError(code: .internal, message: "expected one result per close, got \(replies.count)")
                }
                guard reply.status.code == 0 else {
                    throw RPCError(
                        code: Status.Code(rawValue: Int(reply.status.code)), message: reply.status.message)
                }
                return MatrixResponse(bytes: reply.serializedBytes(), pageCount: nil)
            }
        }
    }
}

extension MatrixTable {
    private typealias Reconciliation = Usageflow_V1_ReconciliationService

    static let reconcileStreamRows: [MatrixRow] = [
        .makeReconcileStream(Reconciliation.Reconcile.schema, .object) { context in
            let (file, record) = try await context.recordToClose()
            var request = Usageflow_V1_ReconcileRequest()
            request.fileId = file
            request.recordId = record
            request.externalBillingId = context.unique("BILL")
            return request
        }
    ]
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import WellKnownTypes

/// The reconciliation stream for a distributor's billing system, authenticated by its service
/// identity: closes in, one result per close out, in order.
///
/// Three tasks form a pipeline, so reading, committing and answering overlap (the reader and the
/// sender are child tasks of the handler's):
/// - the reader takes requests off the stream into a bounded queue;
/// - the committer (the handler's own task) takes everything waiting, up to
///   `UsageReconciliationOperations.maximumStreamGroup`, applies it in one write transaction and
///   passes the outcomes on; while a group commits, the next one gathers;
/// - the sender writes each group's results once its transaction has committed, so every answered
///   close is durable and survives a crash, and an unanswered one may be sent again safely.
///
/// Both queues are bounded: a client that sends faster than groups commit finds the reader
/// waiting and its HTTP/2 window shut, and a client that does not read its results stops the
/// sender, then the committer, then the reader. A close that cannot be applied is answered with
/// its own status and the stream goes on; only a failure of the whole stream (storage, a request
/// that does not decode, the caller going away) ends it with a status.
public struct ReconciliationService: Sendable {
    public let environment: DomainEnvironment
    /// How many requests may wait for the committer.
    let requestCapacity: Int
    /// How many committed groups may wait for the sender.
    let groupCapacity: Int

    public init(environment: DomainEnvironment) {
        self.environment = environment
        self.requestCapacity = 2 * UsageReconciliationOperations.maximumStreamGroup
        self.groupCapacity = 2
    }
}

extension ReconciliationService: Usageflow_V1_ReconciliationService_StreamingServiceProtocol {
    public func reconcile(
        requests: RequestStream<Usageflow_V1_ReconcileRequest>,
        response: ResponseWriter<Usageflow_V1_ReconcileResponse>, context: ServerContext
    ) async throws {
        let tenant = try context.tenant()
        let operations = UsageReconciliationOperations(environment: environment)
        let incoming = ReconcileQueue<UsageReconciliationOperations.StreamClose>(capacity: requestCapacity)
        let committed = ReconcileQueue<[UsageReconciliationOperations.StreamOutcome]>(capacity: groupCapacity)

        // The reader is a child task of its own group: once the stream is answered (or has failed)
        // it is cancelled, which ends a wait for a next request the client may never send.
        try await withThrowingTaskGroup(of: Void.self) { readers in
            readers.addTask {
                do {
                    for try await request in requests {
                        let close = UsageReconciliationOperations.StreamClose(
                            fileID: request.fileId,
                            close: UsageReconciliationOperations.Close(
                                recordID: request.recordId, externalBillingID: request.externalBillingId,
                                note: request.externalBillingNote))
                        guard await incoming.push(close) else { return }
                    }
                    incoming.finish()
                } catch {
                    incoming.finish(throwing: error)
                }
            }
            defer { readers.cancelAll() }
            try await withThrowingTaskGroup(of: Void.self) { senders in
                senders.addTask {
                    do {
                        while let groups = try await committed.take(upTo: 1) {
                            for outcome in groups.joined() {
                                try await response.write(Self.response(outcome))
                            }
                        }
                    } catch {
                        committed.close()
                        throw error
                    }
                }
                // Whatever ends the stream, a reader still waiting for room stops reading.
                defer { incoming.close() }
                do {
                    while let group = try await incoming.take(
                        upTo: UsageReconciliationOperations.maximumStreamGroup)
                    {
                        let outcomes = try await operations.closeGroup(tenant, group)
                        guard await committed.push(outcomes) else { break }
                    }
                    committed.finish()
                } catch {
                    // The groups committed before the failure are still answered, then the
                    // status ends the stream.
                    committed.finish(throwing: error)
                    _ = try? await senders.next()
                    throw error
                }
                // The sender's failure (the client stopped reading, or went away) is the stream's.
                try await senders.next()
            }
        }
    }

    /// One close's result as the wire gives it: the status a single close would have answered,
    /// field violations included, so a client handles a stream's results and a call's errors alike.
    static func response(_ outcome: UsageReconciliationOperations.StreamOutcome) -> Usageflow_V1_ReconcileResponse {
        var response = Usageflow_V1_ReconcileResponse()
        response.fileId = outcome.fileID
        response.recordId = outcome.recordID
        switch outcome.result {
        case .success(let closed):
            response.status = Google_Rpc_Status()
            response.externalBillingId = closed.externalBillingID
            response.closedAt = Google_Protobuf_Timestamp(closed.closedAt)
            response.changed = closed.changed
        case .failure(let error):
            response.status = error.rpcStatus
        }
        return response
    }
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Authorization
import Contracts
import ProtoWire

extension ReconciliationService {
    /// Who may call each RPC, by method path: a distributor's service identities only, writing.
    ///
    /// The stream exists for billing systems that authenticate with a client certificate; an API
    /// key, even a distributor's, is refused, so closes at this rate always come from a registered
    /// machine identity.
    public static let policies: [String: Policy] = [
        Usageflow_V1_ReconciliationService.Reconcile.schema.path: .write(.serviceIdentity)
    ]
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Authorization
import RPCCore
import Synchronization

/// What the inner interceptors learn about a call that the log line needs.
final class CallRecord: Sendable {
    private let principalStorage = Mutex<Principal?>(nil)

    var principal: Principal? {
        get { principalStorage.withLock { $0 } }
        set { principalStorage.withLock { $0 = newValue } }
    }
}

enum CallRecordKey: ContextKey {
    typealias Value = CallRecord
}

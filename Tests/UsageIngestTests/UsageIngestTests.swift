// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngestTests

import Testing
import UsageIngest

@Test func moduleLinks() {
    #expect(String(describing: UsageIngest.self) == "UsageIngest")
}

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — the usageflow executable (being built)
print("usageflow: not built yet")

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ResellerAPI (being built)

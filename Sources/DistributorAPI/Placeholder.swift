// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI (being built)

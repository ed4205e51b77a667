// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer (being built)

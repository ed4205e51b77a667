// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport (being built)

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AdminAPI (being built)

// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Authorization (being built)

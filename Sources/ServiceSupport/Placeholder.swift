// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport (being built)

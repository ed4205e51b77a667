// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Domain
import WellKnownTypes

extension Google_Protobuf_Timestamp {
    /// The wire form of a domain time (microsecond precision, exact).
    public init(_ time: Timestamp) {
        self.init()
        seconds = time.secondsSinceEpoch
        nanos = time.nanosecondsOfSecond
    }
}

extension Timestamp {
    /// A domain time from the wire, or nil when out of the range protobuf allows or not whole microseconds.
    public init?(_ proto: Google_Protobuf_Timestamp) {
        guard proto.seconds >= -62_135_596_800, proto.seconds <= 253_402_300_799, proto.nanos >= 0,
            proto.nanos < 1_000_000_000, proto.nanos % 1000 == 0
        else { return nil }
        self.init(microsecondsSinceEpoch: proto.seconds * 1_000_000 + Int64(proto.nanos / 1000))
    }
}

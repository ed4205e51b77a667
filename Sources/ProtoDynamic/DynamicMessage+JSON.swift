// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic

/// Proto3 JSON, for `--data '{…}'` on the way in and for printing responses on the way out.
///
/// The mapping is the proto3 canonical one (see `JSONMessageEncoder` and `JSONMessageDecoder`);
/// the parser and printer are this module's own, with limits on input size and depth.
extension DynamicMessage {
    /// Parses JSON text into a message of a type.
    public init(
        schema: MessageSchema, jsonString: String, options: JSONDecodingOptions = JSONDecodingOptions()
    ) throws(DynamicMessageError) {
        self.init(schema: schema)
        try merge(jsonUTF8: Array(jsonString.utf8), options: options)
    }

    /// Parses JSON given as UTF-8 bytes into a message of a type.
    public init(
        schema: MessageSchema, jsonUTF8: [UInt8], options: JSONDecodingOptions = JSONDecodingOptions()
    ) throws(DynamicMessageError) {
        self.init(schema: schema)
        try merge(jsonUTF8: jsonUTF8, options: options)
    }

    /// Merges the fields of a JSON object into this message: fields it names are set (singular),
    /// appended to (lists) or added (maps); others are left as they are.
    public mutating func merge(
        jsonString: String, options: JSONDecodingOptions = JSONDecodingOptions()
    ) throws(DynamicMessageError) {
        try merge(jsonUTF8: Array(jsonString.utf8), options: options)
    }

    /// Merges the fields of a JSON object given as UTF-8 bytes into this message.
    public mutating func merge(
        jsonUTF8: [UInt8], options: JSONDecodingOptions = JSONDecodingOptions()
    ) throws(DynamicMessageError) {
        let json = try JSONParser.parse(jsonUTF8, depthLimit: options.depthLimit, sizeLimit: options.sizeLimit)
        var message = self
        try JSONMessageDecoder(options: options).merge(json, into: &message, path: "")
        self = message
    }

    /// The message as proto3 JSON.
    ///
    /// Throws only for values the mapping cannot express: a Timestamp or Duration out of its
    /// range, a `google.protobuf.Value` holding NaN or an infinity.
    public func jsonString(options: JSONEncodingOptions = JSONEncodingOptions()) throws(DynamicMessageError) -> String {
        let json = try JSONMessageEncoder(options: options).encode(self, path: "")
        return JSONWriter.write(json, pretty: options.pretty)
    }
}

import WharfCore

/// The AMQP `error` type (0x1d): a symbolic condition, a description and an info map.
public struct AMQPError: Error, Equatable, Sendable {
    public static let descriptor: UInt64 = 0x1d

    public var condition: String
    public var description: String?
    public var info: AMQPValue

    public init(_ condition: String, _ description: String? = nil, info: AMQPValue = .null) {
        self.condition = condition
        self.description = description
        self.info = info
    }

    public init?(_ value: AMQPValue) throws(WharfError) {
        if value.isNull { return nil }
        let f = try AMQPFields(value, code: Self.descriptor, what: "error")
        condition = try f.required(try f.text(0), 0)
        description = try f.text(1)
        info = f[2]
    }

    public var value: AMQPValue { .described(Self.descriptor, .list([.symbol(condition), description.amqpString, info])) }

    // Conditions Wharf sends (reference §3.2, §3.6, §5.1).
    public static let notFound = "amqp:not-found"
    public static let notAllowed = "amqp:not-allowed"
    public static let unauthorized = "amqp:unauthorized-access"
    public static let decodeError = "amqp:decode-error"
    public static let internalError = "amqp:internal-error"
    public static let invalidField = "amqp:invalid-field"
    public static let notImplemented = "amqp:not-implemented"
    public static let resourceLimitExceeded = "amqp:resource-limit-exceeded"
    public static let frameSizeTooSmall = "amqp:frame-size-too-small"
    public static let connectionForced = "amqp:connection:forced"
    public static let framingError = "amqp:connection:framing-error"
    public static let messageSizeExceeded = "amqp:link:message-size-exceeded"
    public static let detachForced = "amqp:link:detach-forced"
    public static let messageLockLost = "com.microsoft:message-lock-lost"
    public static let sessionLockLost = "com.microsoft:session-lock-lost"
    public static let sessionCannotBeLocked = "com.microsoft:session-cannot-be-locked"
    public static let messageNotFound = "com.microsoft:message-not-found"
    public static let timeout = "com.microsoft:timeout"
    public static let argumentError = "com.microsoft:argument-error"
    public static let deadLetter = "com.microsoft:dead-letter"
}

/// An API error that passes with time: the reply carries `Retry-After` and a
/// `retry_after` key with the seconds to wait.
public struct RetryAfter: Error, Sendable {
    public let error: APIError
    public let seconds: Int

    public init(error: APIError, seconds: Int) {
        self.error = error
        self.seconds = max(1, seconds)
    }
}

/// What a store refuses, in the domain's words. Stores never throw the API's
/// error codes; `StoreError.apiError` (HTTP/StoreError+API.swift) maps each
/// case to the catalogue, in one place.
public enum StoreError: Error, Sendable, Equatable {
    /// What a store writes.
    public enum Record: String, Sendable {
        case account, event, message, pictureKey
    }

    /// Another account has this username (also when another request took it a moment ago).
    case usernameTaken
    /// Another account has this e-mail address.
    case emailTaken
    /// The calendar holds `limit` events already.
    case calendarFull(limit: Int)
    /// A code went to this medium less than the resend interval ago.
    case codeSentRecently(retryAfter: Int)
    /// The database did not give back the row it was asked to write.
    case notWritten(Record)
}

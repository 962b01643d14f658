extension StoreError {
    /// The catalogue's error for this refusal, and the seconds to wait when
    /// waiting helps (sent as `Retry-After`).
    var apiError: (error: APIError, retryAfter: Int?) {
        switch self {
        case .usernameTaken: (ErrorCatalogue.usernameExists, nil)
        case .emailTaken: (ErrorCatalogue.emailExists, nil)
        case .calendarFull(let limit): (ErrorCatalogue.addEventFailed.because("a calendar holds at most \(limit) events"), nil)
        case .codeSentRecently(let seconds): (ErrorCatalogue.sendingInterval.formatted(seconds), seconds)
        case .notWritten(.account): (ErrorCatalogue.registerFailed, nil)
        case .notWritten(.event): (ErrorCatalogue.addEventFailed, nil)
        case .notWritten(.message), .notWritten(.pictureKey): (ErrorCatalogue.databaseError, nil)
        }
    }
}

public import HTTPTypes

/// One error of the API: the spec's `error_code`, its message and the `URI`
/// column (the spec's grouping), plus the HTTP status it travels with.
public struct APIError: Error, Sendable, Equatable {
    public let code: Int
    public let message: String
    public let status: HTTPResponse.Status
    /// What exactly was wrong, for the client (the `detail` key of the reply);
    /// never internals, never secrets.
    public let detail: String?

    public init(_ code: Int, _ message: String, status: HTTPResponse.Status = .badRequest, detail: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.detail = detail
    }

    /// The same error explaining what was wrong.
    public func because(_ detail: String) -> APIError {
        APIError(code, message, status: status, detail: detail)
    }

    /// The same error with another HTTP status.
    public func with(status: HTTPResponse.Status) -> APIError {
        APIError(code, message, status: status, detail: detail)
    }

    /// The same error with a formatted message (the spec's `%d` placeholders).
    public func formatted(_ value: Int) -> APIError {
        APIError(code, message.replacingOccurrences(of: "%d", with: String(value)), status: status, detail: detail)
    }
}

/// Every error code of `../shared/spec/upare-api.txt`, section by section, with
/// the spec's messages. A test checks this catalogue against the spec file.
public enum ErrorCatalogue {
    // 1: System
    public static let unauthorized = APIError(403, "Unauthorized", status: .forbidden)
    public static let notFound = APIError(404, "Not found", status: .notFound)
    public static let internalError = APIError(100001, "Internal error", status: .internalServerError)
    public static let unknownError = APIError(100002, "Unknown error", status: .internalServerError)
    public static let databaseError = APIError(100003, "Database error", status: .internalServerError)
    public static let validationFailed = APIError(100004, "Validation failed")
    public static let mailSendingFailed = APIError(100005, "Mail sending failed", status: .badGateway)
    // 2.0: API common
    public static let postRequired = APIError(200001, "POST method required", status: .methodNotAllowed)
    public static let invalidCaptcha = APIError(200002, "Invalid captcha")
    public static let captchaVerificationFailed = APIError(200002, "Captcha verification failed")
    // 2.1.1: OAuth authorize
    public static let redirectAndClientRequired = APIError(201101, "redirect_uri and client_id are required")
    public static let invalidResponseType = APIError(201102, "Invalid response_type")
    public static let invalidClientIDAuthorize = APIError(201103, "Invalid clientid")
    public static let redirectClientMismatch = APIError(201104, "redirect_uri and client_id are not matched")
    public static let authorizationCodeRequired = APIError(201105, "Authorization code required")
    // 2.1.2: OAuth accessToken
    public static let invalidAccessToken = APIError(201201, "Invalid access_token", status: .unauthorized)
    public static let accessTokenRequired = APIError(201202, "access_token is required", status: .unauthorized)
    public static let accessTokenExpired = APIError(201203, "access_token expires or does not exist", status: .unauthorized)
    public static let rateLimited = APIError(201204, "API requests out of rate limit", status: .tooManyRequests)
    public static let tokenRequestMismatch = APIError(201205, "client_id client_secret grant_type redirect_uri are not matched")
    public static let permissionDenied = APIError(201206, "Api permission denied", status: .forbidden)
    public static let cacheTokenFailed = APIError(201207, "Cache access_token failed", status: .internalServerError)
    public static let clientSecretMismatch = APIError(201208, "client_id client_secret are not matched", status: .unauthorized)
    public static let invalidRefreshToken = APIError(201209, "Invalid refresh_token")
    public static let clientIDRequired = APIError(201210, "client_id is required")
    public static let clientSecretRequired = APIError(201211, "client_secret is required")
    public static let usernamePasswordRequiredForToken = APIError(201212, "Access username and password are required")
    public static let invalidClientID = APIError(201213, "Invalid client_id", status: .unauthorized)
    public static let clientUsernameMismatch = APIError(201214, "client_id and username are not matched")
    public static let invalidAuthorizationCode = APIError(201215, "Invalid authorization code")
    public static let invalidGrantType = APIError(201216, "Invalid grant_type")
    // 2.1.3, 2.1.4: OAuth delete and revoke
    public static let deleteTokenFailed = APIError(201301, "Failed to delete access_token")
    public static let revokeTokenFailed = APIError(201401, "Failed to revoke access_token")
    // 2.2: User
    public static let accountDoesNotExist = APIError(202001, "Account does not exist", status: .notFound)
    public static let usernameExists = APIError(202002, "The username already exists", status: .conflict)
    public static let usernameRegistered = APIError(202002, "The username already registered", status: .conflict)
    public static let emailExists = APIError(202003, "The email already exists", status: .conflict)
    public static let phoneExists = APIError(202004, "The phone number already exists", status: .conflict)
    public static let nicknameExists = APIError(202005, "The Nick name already exists", status: .conflict)
    public static let verificationCodeFailed = APIError(202006, "Verification code validation failed")
    public static let mediumCodeFailed = APIError(202006, "Medium code validation failed")
    public static let sendingInterval = APIError(202007, "The sending interval of verification code is %d seconds", status: .tooManyRequests)
    public static let notLoggedIn = APIError(202101, "Not logged in yet", status: .unauthorized)
    public static let usernamePasswordRequired = APIError(202102, "Username and password are required")
    public static let incorrectPassword = APIError(202103, "Incorrect password", status: .unauthorized)
    public static let sendCodeFailed = APIError(202201, "Failed to send verification code", status: .badGateway)
    public static let registerFailed = APIError(202202, "Failed to register")
    public static let avatarUploadFailed = APIError(202301, "Fail to upload avatar")
    public static let unbindFailed = APIError(202302, "Fail to unbind SNS account")
    public static let updateUserFailed = APIError(202303, "Failed to update user information")
    public static let samePassword = APIError(202304, "The old and new passwords are the same")
    // 2.3: Calendar
    public static let noEvents = APIError(203101, "No to-do events", status: .notFound)
    public static let addEventFailed = APIError(203201, "Fail to add a event")
    public static let eventIDMissing = APIError(203301, "Event id not specified")
    // 2.4: Intercourse
    public static let noFriends = APIError(204101, "No friends found", status: .notFound)
    public static let makeFriendsFailed = APIError(204102, "Failed to make friends")
    public static let deleteFriendFailed = APIError(204103, "Failed to delete a friend")
    public static let notifyFriendFailed = APIError(204104, "Failed to notify your friend")

    /// Every entry, for the spec check and for documentation.
    public static let all: [APIError] = [
        unauthorized, notFound, internalError, unknownError, databaseError, validationFailed, mailSendingFailed,
        postRequired, invalidCaptcha, captchaVerificationFailed,
        redirectAndClientRequired, invalidResponseType, invalidClientIDAuthorize, redirectClientMismatch,
        authorizationCodeRequired, invalidAccessToken, accessTokenRequired, accessTokenExpired, rateLimited,
        tokenRequestMismatch, permissionDenied, cacheTokenFailed, clientSecretMismatch, invalidRefreshToken,
        clientIDRequired, clientSecretRequired, usernamePasswordRequiredForToken, invalidClientID,
        clientUsernameMismatch, invalidAuthorizationCode, invalidGrantType, deleteTokenFailed, revokeTokenFailed,
        accountDoesNotExist, usernameExists, usernameRegistered, emailExists, phoneExists, nicknameExists,
        verificationCodeFailed, mediumCodeFailed, sendingInterval, notLoggedIn, usernamePasswordRequired,
        incorrectPassword, sendCodeFailed, registerFailed, avatarUploadFailed, unbindFailed, updateUserFailed,
        samePassword, noEvents, addEventFailed, eventIDMissing, noFriends, makeFriendsFailed, deleteFriendFailed,
        notifyFriendFailed,
    ]
}

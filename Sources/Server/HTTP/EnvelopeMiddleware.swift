public import Hummingbird
import Logging

/// Turns every failure into the spec's envelope: API errors with their own
/// code, unknown routes into 404, wrong methods into 200001, too-large bodies
/// into 413 with 100004, and anything unexpected into 100001 without internals.
/// Logs method, path and status only: query strings can hold captcha answers.
public struct EnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = Envelope.failure(error, apiURI: Envelope.apiURI(request))
        } catch let consent as ConsentNeeded {
            response = Envelope.failure(
                ErrorCatalogue.permissionDenied.because("the user's consent is needed: post again with consent=allow and consent_token"),
                apiURI: Envelope.apiURI(request), payload: ["consent_token": consent.token])
        } catch let wait as RetryAfter {
            response = Envelope.failure(wait.error, apiURI: Envelope.apiURI(request), retryAfter: wait.seconds)
        } catch let refused as StoreError {
            let (error, wait) = refused.apiError
            response = Envelope.failure(error, apiURI: Envelope.apiURI(request), retryAfter: wait)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound: response = Envelope.failure(ErrorCatalogue.notFound, apiURI: Envelope.apiURI(request))
            case .methodNotAllowed: response = Envelope.failure(ErrorCatalogue.postRequired, apiURI: Envelope.apiURI(request))
            case .contentTooLarge:
                response = Envelope.failure(
                    ErrorCatalogue.validationFailed.with(status: .contentTooLarge).because(error.body ?? "the request body is too large"),
                    apiURI: Envelope.apiURI(request))
            default:
                var failure = ErrorCatalogue.validationFailed.with(status: error.status)
                if let body = error.body { failure = failure.because(body) }
                response = Envelope.failure(failure, apiURI: Envelope.apiURI(request))
            }
        } catch {
            context.logger.error("unhandled error", metadata: ["path": "\(request.uri.path)", "type": "\(type(of: error))"])
            response = Envelope.failure(ErrorCatalogue.internalError, apiURI: Envelope.apiURI(request))
        }
        context.logger.debug("\(request.method) \(request.uri.path) \(response.status.code)")
        return response
    }
}

import Hummingbird

extension Router where Context == ServerRequestContext {
    /// Routes `/api/<section>/<action>` and `/apis/...` for every case of
    /// `Action`, POST only: a GET is answered with 200001. The handler gets the
    /// request's parameters, read within `maxBodySize`.
    func postActions<Action: RawRepresentable & CaseIterable & Sendable>(
        section: String, _: Action.Type, maxBodySize: Int,
        _ handler: @escaping @Sendable (Action, Request, ServerRequestContext, Parameters) async throws -> Response
    ) where Action.RawValue == String {
        for prefix in ["api", "apis"] {
            for action in Action.allCases {
                on("\(prefix)/\(section)/\(action.rawValue)", method: .post) { request, context in
                    let parameters = try await Parameters.read(request, context: context, maxBodySize: maxBodySize)
                    return try await handler(action, request, context, parameters)
                }
                on("\(prefix)/\(section)/\(action.rawValue)", method: .get) { _, _ -> Response in
                    throw ErrorCatalogue.postRequired
                }
            }
        }
    }
}

import Hummingbird

/// Section 2.4 of the spec (Intercourse) at its paths under `User/`:
/// `friends`, `friendmake`, `frienddel`, `friendsrecommend`. POST only.
struct FriendRoutes: Sendable {
    let services: Services

    enum Action: String, CaseIterable, Sendable {
        case friends, friendmake, frienddel, friendsrecommend
    }

    func handle(_ action: Action, _ request: Request, _ user: User, _ parameters: Parameters) async throws -> Response {
        let uri = Envelope.apiURI(request)
        switch action {
        case .friends:
            let friends = try await services.friends.friends(of: user.id)
            guard !friends.isEmpty else { throw ErrorCatalogue.noFriends }
            return Envelope.success(uri, ["friends": friends.map(\.payload), "total": friends.count])
        case .friendsrecommend:
            let limit = try parameters.integer("limit", default: 20, range: 1...100)
            let recommended = try await services.friends.recommendations(for: user.id, limit: limit)
            guard !recommended.isEmpty else { throw ErrorCatalogue.noFriends }
            return Envelope.success(uri, ["friends": recommended.map(\.payload)])
        case .friendmake:
            let friend = try await other(parameters, user, failure: ErrorCatalogue.makeFriendsFailed)
            guard try await services.friends.befriend(user.id, friend.id, at: services.now()) else {
                throw ErrorCatalogue.makeFriendsFailed.because("you are friends already")
            }
            do {
                try await services.messages.send(
                    to: friend.id, from: user.id, kind: "friend", title: "\(user.username) added you as a friend",
                    body: "You and \(user.username) are now friends.", at: services.now())
            } catch {
                // Without the notice the friendship is undone, so nobody is befriended unawares.
                _ = try? await services.friends.unfriend(user.id, friend.id)
                throw ErrorCatalogue.notifyFriendFailed
            }
            return Envelope.success(uri, ["friend": FriendEntry(uid: friend.id, username: friend.username, nickname: friend.nickname).payload])
        case .frienddel:
            let friend = try await other(parameters, user, failure: ErrorCatalogue.deleteFriendFailed)
            guard try await services.friends.unfriend(user.id, friend.id) else {
                throw ErrorCatalogue.deleteFriendFailed.because("you are not friends")
            }
            return Envelope.success(uri)
        }
    }

    /// The account `fid` names: a number (100004), an account (202001), not oneself.
    func other(_ parameters: Parameters, _ user: User, failure: APIError) async throws -> User {
        guard let raw = parameters["fid"], let fid = Int(raw) else {
            throw ErrorCatalogue.validationFailed.because("fid must be a user id")
        }
        guard fid != user.id else { throw failure.because("that is you") }
        guard let friend = try await services.users.user(id: fid) else { throw ErrorCatalogue.accountDoesNotExist }
        return friend
    }
}

public import Foundation
import SQLKit

/// An event in a user's calendar.
public struct CalendarEvent: Sendable, Equatable {
    public var id: Int
    public var title: String
    public var start: Date
    public var end: Date
    public var allDay: Bool
    public var location: String
    public var description: String
    /// Minutes before the start to remind, if at all.
    public var reminderMinutes: Int?

    var payload: [String: any Sendable] {
        var fields: [String: any Sendable] = [
            "id": id, "title": title, "start": Timestamps.iso8601(start), "end": Timestamps.iso8601(end),
            "all_day": allDay, "location": location, "description": description,
        ]
        if let reminderMinutes { fields["reminder"] = reminderMinutes }
        return fields
    }
}

/// `calendar_events`; every query names the owner.
public struct CalendarStore: Sendable {
    let database: any SQLDatabase

    public init(database: ServerDatabase) {
        self.database = database.sql
    }

    struct Row: Decodable {
        var id: Int
        var title: String
        var starts_at: Double
        var ends_at: Double
        var all_day: Bool
        var location: String
        var description: String
        var reminder_minutes: Int?

        var event: CalendarEvent {
            CalendarEvent(
                id: id, title: title, start: Date(timeIntervalSince1970: starts_at), end: Date(timeIntervalSince1970: ends_at),
                allDay: all_day, location: location, description: description, reminderMinutes: reminder_minutes)
        }
    }

    static let columns = ["id", "title", "starts_at", "ends_at", "all_day", "location", "description", "reminder_minutes"]
        .map { SQLColumn($0) }

    /// The owner's events that overlap [from, to), by start.
    /// The most events one user may keep.
    public static let maxEventsPerUser = 10_000

    /// A page of the events overlapping [from, to), by start, and how many there are in all.
    public func events(
        for userID: Int, from: Date, to: Date, limit: Int = 100, offset: Int = 0
    ) async throws -> (events: [CalendarEvent], total: Int) {
        let events = try await database.select().columns(Self.columns).from("calendar_events")
            .where("user_id", .equal, SQLBind(userID))
            .where("starts_at", .lessThan, SQLBind(to.timeIntervalSince1970))
            .where("ends_at", .greaterThanOrEqual, SQLBind(from.timeIntervalSince1970))
            .orderBy("starts_at").orderBy("id").limit(limit).offset(offset)
            .all(decoding: Row.self).map(\.event)
        struct Count: Decodable { var n: Int }
        let total = try await database.raw("""
            SELECT COUNT(*) AS n FROM calendar_events WHERE user_id = \(bind: userID)
            AND starts_at < \(bind: to.timeIntervalSince1970) AND ends_at >= \(bind: from.timeIntervalSince1970)
            """).first(decoding: Count.self)?.n ?? events.count
        return (events, total)
    }

    /// `add` found the user's calendar holding `maxEventsPerUser` events.

    public func event(_ id: Int, for userID: Int) async throws -> CalendarEvent? {
        try await database.select().columns(Self.columns).from("calendar_events")
            .where("id", .equal, SQLBind(id)).where("user_id", .equal, SQLBind(userID)).first(decoding: Row.self)?.event
    }

    public func add(_ event: CalendarEvent, for userID: Int, at now: Date) async throws -> CalendarEvent {
        let time = now.timeIntervalSince1970
        // One statement: the count and the insert cannot be split by another add.
        let row = try await database.raw("""
            INSERT INTO calendar_events
                (user_id, title, starts_at, ends_at, all_day, location, description, reminder_minutes, created_at, updated_at)
            SELECT \(bind: userID), \(bind: event.title), \(bind: event.start.timeIntervalSince1970),
                \(bind: event.end.timeIntervalSince1970), \(bind: event.allDay), \(bind: event.location), \(bind: event.description),
                \(bind: event.reminderMinutes), \(bind: time), \(bind: time)
            WHERE (SELECT COUNT(*) FROM calendar_events WHERE user_id = \(bind: userID)) < \(bind: Self.maxEventsPerUser)
            RETURNING id
            """).first()
        guard let row else { throw StoreError.calendarFull(limit: Self.maxEventsPerUser) }
        guard let id = try? row.decode(column: "id", as: Int.self) else { throw StoreError.notWritten(.event) }
        var added = event
        added.id = id
        return added
    }

    /// Writes every field of `event` (the owner's); false when there is no such event.
    public func update(_ event: CalendarEvent, for userID: Int, at now: Date) async throws -> Bool {
        let updated = try await database.update("calendar_events")
            .set("title", to: SQLBind(event.title))
            .set("starts_at", to: SQLBind(event.start.timeIntervalSince1970))
            .set("ends_at", to: SQLBind(event.end.timeIntervalSince1970))
            .set("all_day", to: SQLBind(event.allDay))
            .set("location", to: SQLBind(event.location))
            .set("description", to: SQLBind(event.description))
            .set("reminder_minutes", to: SQLBind(event.reminderMinutes))
            .set("updated_at", to: SQLBind(now.timeIntervalSince1970))
            .where("id", .equal, SQLBind(event.id)).where("user_id", .equal, SQLBind(userID))
            .returning(SQLColumn("id")).all()
        return !updated.isEmpty
    }
}

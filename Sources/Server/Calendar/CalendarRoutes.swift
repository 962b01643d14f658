import Foundation
import Hummingbird

/// Section 2.3 of the spec: `Calendar/events`, `Calendar/add`, `Calendar/update`,
/// for the logged-in user's own events. POST only.
struct CalendarRoutes: Sendable {
    let services: Services

    enum Action: String, CaseIterable, Sendable {
        case events, add, update
    }

    func handle(_ action: Action, _ request: Request, _ user: User, _ parameters: Parameters) async throws -> Response {
        let uri = Envelope.apiURI(request)
        let now = services.now()
        switch action {
        case .events:
            // [start, end): by default the next 30 days.
            let from = try EventFields.time(parameters["start"], name: "start") ?? now
            let to = try EventFields.time(parameters["end"], name: "end") ?? from.addingTimeInterval(30 * 86_400)
            guard to > from, to.timeIntervalSince(from) <= 366 * 86_400 else {
                throw ErrorCatalogue.validationFailed.because("end must follow start, at most 366 days later")
            }
            let limit = try parameters.integer("limit", default: 100, range: 1...1000)
            let offset = try parameters.integer("offset", default: 0, range: 0...CalendarStore.maxEventsPerUser)
            let page = try await services.calendar.events(for: user.id, from: from, to: to, limit: limit, offset: offset)
            guard page.total > 0 else { throw ErrorCatalogue.noEvents }
            return Envelope.success(uri, ["events": page.events.map(\.payload), "total": page.total])
        case .add:
            var event = CalendarEvent(id: 0, title: "", start: now, end: now, allDay: false, location: "", description: "", reminderMinutes: nil)
            try EventFields.apply(parameters, to: &event, requireAll: true)
            let added: CalendarEvent
            do {
                added = try await services.calendar.add(event, for: user.id, at: now)
            } catch let refused as StoreError {
                throw refused
            } catch {
                throw ErrorCatalogue.addEventFailed
            }
            return Envelope.success(uri, ["event": added.payload])
        case .update:
            guard let raw = parameters["id"], !raw.isEmpty else { throw ErrorCatalogue.eventIDMissing }
            guard let id = Int(raw) else { throw ErrorCatalogue.validationFailed.because("id must be an event number") }
            guard var event = try await services.calendar.event(id, for: user.id) else {
                throw ErrorCatalogue.notFound.because("no event \(id) in your calendar")
            }
            try EventFields.apply(parameters, to: &event, requireAll: false)
            guard try await services.calendar.update(event, for: user.id, at: now) else {
                throw ErrorCatalogue.notFound.because("no event \(id) in your calendar")
            }
            return Envelope.success(uri, ["event": event.payload])
        }
    }
}

/// Parsing and checking of an event's parameters.
enum EventFields {
    /// ISO 8601 (`2026-12-01T09:30:00+08:00`, `2026-12-01T01:30:00Z`), a day
    /// (`2026-12-01`, midnight UTC) or Unix seconds.
    static func time(_ raw: String?, name: String) throws(APIError) -> Date? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let seconds = Double(raw), seconds.isFinite, abs(seconds) < 1e11 { return Date(timeIntervalSince1970: seconds) }
        if let date = try? Date(raw, strategy: .iso8601) { return date }
        if let date = try? Date(raw, strategy: Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()) { return date }
        throw ErrorCatalogue.validationFailed.because("\(name) must be an ISO 8601 time, a date or Unix seconds")
    }

    static func text(_ raw: String?, name: String, max: Int) throws(APIError) -> String? {
        guard let raw else { return nil }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= max else { throw ErrorCatalogue.validationFailed.because("\(name) is at most \(max) characters") }
        return text
    }

    /// Sets the fields present in `parameters`; `add` needs title and start.
    static func apply(_ parameters: Parameters, to event: inout CalendarEvent, requireAll: Bool) throws(APIError) {
        if let title = try text(parameters["title"], name: "title", max: 200) { event.title = title }
        guard !event.title.isEmpty else { throw ErrorCatalogue.validationFailed.because("title is required") }
        let start = try time(parameters["start"], name: "start")
        if requireAll, start == nil { throw ErrorCatalogue.validationFailed.because("start is required") }
        let duration = event.end.timeIntervalSince(event.start)
        if let start {
            event.start = start
            event.end = start.addingTimeInterval(duration)
        }
        if let allDay = parameters["all_day"] ?? parameters["allday"] {
            switch allDay.lowercased() {
            case "1", "true", "yes", "on": event.allDay = true
            case "0", "false", "no", "off", "": event.allDay = false
            default: throw ErrorCatalogue.validationFailed.because("all_day must be true or false")
            }
        }
        if let end = try time(parameters["end"], name: "end") {
            event.end = end
        } else if requireAll {
            event.end = event.allDay ? event.start.addingTimeInterval(86_400) : event.start.addingTimeInterval(3_600)
        }
        guard event.end >= event.start else { throw ErrorCatalogue.validationFailed.because("end must not be before start") }
        guard event.end.timeIntervalSince(event.start) <= 366 * 86_400 else {
            throw ErrorCatalogue.validationFailed.because("an event lasts at most 366 days")
        }
        if let location = try text(parameters["location"], name: "location", max: 200) { event.location = location }
        if let description = try text(parameters["description"], name: "description", max: 4_000) { event.description = description }
        if let reminder = parameters["reminder"] {
            if reminder.isEmpty || reminder.lowercased() == "none" {
                event.reminderMinutes = nil
            } else {
                guard let minutes = Int(reminder), (0...40_320).contains(minutes) else {
                    throw ErrorCatalogue.validationFailed.because("reminder is minutes before the start, 0...40320")
                }
                event.reminderMinutes = minutes
            }
        }
    }
}

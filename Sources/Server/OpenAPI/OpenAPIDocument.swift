import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of the API, made from `EndpointTable` and
/// the error catalogue; served at `/openapi.json`.
public enum OpenAPIDocument {
    /// The document as JSON bytes (sorted keys, so it is stable).
    public static let json: [UInt8] = {
        let data = (try? JSONSerialization.data(withJSONObject: document(), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }()

    static func response() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=3600"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    static func document() -> [String: Any] {
        var paths: [String: Any] = [:]
        for endpoint in EndpointTable.all {
            var item: [String: Any] = [:]
            for method in endpoint.methods { item[method] = operation(endpoint, method: method) }
            paths[endpoint.path] = item
        }
        for plain in EndpointTable.plain {
            let schema: [String: Any] = switch plain.contentType {
            case "image/png": ["type": "string", "format": "binary"]
            case "text/plain": ["type": "string"]
            default: ["type": "object"]
            }
            paths[plain.openAPIPath] = ["get": [
                "tags": [plain.tag], "summary": plain.summary,
                "operationId": plain.path.split(separator: "/").filter { !$0.hasPrefix(":") }.joined(separator: "_"),
                "parameters": plain.captures.map { ["name": $0, "in": "path", "required": true, "schema": ["type": "string"]] },
                "responses": [
                    "200": ["description": "ok", "content": [plain.contentType: ["schema": schema]]],
                    "default": ["$ref": "#/components/responses/Error"],
                ],
            ] as [String: Any]]
        }
        let codes = ErrorCatalogue.all.map { "\($0.code) \($0.message)" }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "upare API", "version": "1",
                "description": """
                    Captchas, picture scrambling, accounts, OAuth 2.0, calendar and friends. Every path also answers \
                    under /apis/ and with a trailing slash. Parameters come from the query string or a form, multipart \
                    or JSON body. Every reply other than a picture is the envelope {error_code, api_uri, message, ...}. \
                    Error codes: \(codes.joined(separator: "; ")).
                    """,
            ],
            "servers": [["url": "/"]],
            "paths": paths,
            "components": [
                "schemas": [
                    "Envelope": [
                        "type": "object", "required": ["error_code", "api_uri", "message"],
                        "properties": [
                            "error_code": ["type": "integer", "description": "0 on success"],
                            "api_uri": ["type": "string", "examples": ["apis/User/login"]],
                            "message": ["type": "string"],
                            "detail": ["type": "string", "description": "what exactly was wrong (validation errors)"],
                            "retry_after": ["type": "integer", "description": "seconds to wait (201204, 202007)"],
                        ],
                        "additionalProperties": true,
                    ] as [String: Any],
                ],
                "responses": [
                    "Error": [
                        "description": "an error in the envelope",
                        "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Envelope"]]],
                    ] as [String: Any],
                ],
                "securitySchemes": [
                    "session": ["type": "apiKey", "in": "cookie", "name": ClientSession.cookieName],
                    "bearer": ["type": "http", "scheme": "bearer", "description": "an access token of /api/Oauth/accessToken"],
                    "oauth2": [
                        "type": "oauth2",
                        "flows": [
                            "authorizationCode": [
                                "authorizationUrl": "/api/Oauth/authorize", "tokenUrl": "/api/Oauth/accessToken",
                                "refreshUrl": "/api/Oauth/accessToken",
                                "scopes": Dictionary(uniqueKeysWithValues: OAuthScopes.known.map { ($0, ConsentPage.describe($0)) }),
                            ] as [String: Any],
                        ],
                    ] as [String: Any],
                ] as [String: Any],
            ] as [String: Any],
        ]
    }

    static func operation(_ endpoint: Endpoint, method: String) -> [String: Any] {
        let action = endpoint.path.split(separator: "/").suffix(2).joined()
        var operation: [String: Any] = [
            "tags": [endpoint.tag], "summary": endpoint.summary,
            "operationId": method + action,
            "description": "Error codes: " + endpoint.errors.map(String.init).joined(separator: ", "),
            "x-error-codes": endpoint.errors,
        ]
        switch endpoint.access {
        case .anonymous, .oauthClient: break
        case .tokenHolder: operation["security"] = [["bearer": [String]()]]
        case .session: operation["security"] = [["session": [String]()]]
        case .sessionOrBearer(let scope): operation["security"] = [["session": [String]()], ["bearer": [scope]]]
        }
        let fields = endpoint.parameters.filter { !$0.isFile }
        if method == "get" {
            operation["parameters"] = fields.map { parameter -> [String: Any] in
                ["name": parameter.name, "in": "query", "required": parameter.required, "description": parameter.description,
                 "schema": ["type": parameter.type]]
            }
        } else if !endpoint.parameters.isEmpty {
            var properties: [String: Any] = [:]
            for parameter in endpoint.parameters {
                properties[parameter.name] = parameter.isFile
                    ? ["type": "string", "format": "binary", "description": parameter.description]
                    : ["type": parameter.type, "description": parameter.description]
            }
            let required = endpoint.parameters.filter(\.required).map(\.name)
            let schema: [String: Any] = ["type": "object", "properties": properties, "required": required]
            let hasFile = endpoint.parameters.contains(where: \.isFile)
            var content: [String: Any] = ["multipart/form-data": ["schema": schema]]
            if !hasFile {
                content["application/x-www-form-urlencoded"] = ["schema": schema]
                content["application/json"] = ["schema": schema]
            }
            operation["requestBody"] = ["required": !required.isEmpty, "content": content]
        }
        var responses: [String: Any] = ["default": ["$ref": "#/components/responses/Error"]]
        switch endpoint.reply {
        case .envelope(let keys):
            responses["200"] = ["description": "success", "content": ["application/json": ["schema": envelope(keys)]]]
        case .picture:
            responses["200"] = ["description": "the picture", "content": pictures]
        case .audio:
            responses["200"] = ["description": "the recording", "content": ["audio/wav": ["schema": ["type": "string", "format": "binary"]]]]
        case .pictureOrEnvelope(let keys):
            var content = pictures
            content["application/json"] = ["schema": envelope(keys)]
            responses["200"] = ["description": "the picture; asked for JSON, the envelope", "content": content]
        case .redirectOrPage:
            responses["200"] = [
                "description": "json: the envelope with authorization_code; code: the consent page",
                "content": [
                    "application/json": ["schema": ["$ref": "#/components/schemas/Envelope"]],
                    "text/html": ["schema": ["type": "string"]],
                ],
            ]
            responses["302"] = ["description": "to redirect_uri with code and state, or error and state"]
        }
        operation["responses"] = responses
        return operation
    }

    /// The envelope with the typed payload `keys`.
    static func envelope(_ keys: [String]) -> [String: Any] {
        var properties: [String: Any] = [:]
        for key in keys { properties[key] = PayloadSchemas.schema(key) }
        return ["allOf": [["$ref": "#/components/schemas/Envelope"], ["type": "object", "properties": properties]]]
    }

    /// The picture formats a picture reply may take.
    static var pictures: [String: Any] {
        Dictionary(uniqueKeysWithValues: ["image/png", "image/jpeg", "image/bmp"].map {
            ($0, ["schema": ["type": "string", "format": "binary"]] as [String: Any])
        })
    }
}

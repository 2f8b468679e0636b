"""The JSON HTTP API: operations, bodies, problem details and the OpenAPI document."""

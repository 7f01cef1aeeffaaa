"""The HTTP boundary: Starlette routes for GraphQL, GraphiQL, health and readiness."""

"""The one way the reference scripts open a gql client on `ltb serve`: the websockets transport
speaking graphql-transport-ws, the API key in the connection_init payload (as
graphql-transport-ws servers expect), and the schema fetched by introspection so every document is
validated before it is sent.

Input-value deprecation is left out of the introspection query: GraphQLSwift 4.3 answers
__InputValue.isDeprecated with null (see docs/decisions.md).
"""
from gql import Client
from gql.transport.websockets import WebsocketsTransport


def connect(url, key):
    """A gql Client (use it with `async with`) on the WebSocket endpoint URL with API key KEY."""
    transport = WebsocketsTransport(
        url=url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL], init_payload={"token": key}
    )
    return Client(
        transport=transport, fetch_schema_from_transport=True,
        introspection_args={"input_value_deprecation": False},
    )

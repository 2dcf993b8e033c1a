"""The OGC exception of the facade: an HTTP status, the OGC code and a description."""


class OGCError(Exception):
    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description

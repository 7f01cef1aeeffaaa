"""The participant register: which organisations the exchange admits, and as what.

The afsprakenstelsel decides who joins; the gateway's configuration lists them
(`[[auth.participants]]`): OIN, role, SUWI status, scopes, default purpose, and the processors
(verwerkers) that may send on their behalf. A caller with a client certificate is the participant
its OIN names, nothing more: it cannot assert a role, a scope or a SUWI status itself.

The X-VUM headers are checked against the certificate: the certificate is that of the party
that connects, `X-VUM-viaParty` (which equals `X-VUM-fromParty` when no processor is involved);
`X-VUM-fromParty`, the controller (verwerkingsverantwoordelijke), must be a participant, and a
different `viaParty` one of its registered verwerkers.
"""

from __future__ import annotations

from collections.abc import Sequence

from vumschema.koppelvlak import FROM_PARTY, VIA_PARTY
from vumschema.policy import Caller

from ..config import ParticipantConfig
from .certificates import ClientCertificate
from .tokens import Unauthenticated


class ParticipantRegister:
    """Participants by OIN."""

    def __init__(self, participants: Sequence[ParticipantConfig]) -> None:
        self.participants = {participant.oin: participant for participant in participants}

    def caller(
        self,
        certificate: ClientCertificate,
        *,
        from_party: str | None = None,
        via_party: str | None = None,
        purpose: str | None = None,
    ) -> Caller:
        """The caller a certificate stands for; for the REST facade, the X-VUM parties it sent.

        Without parties (GraphQL) the certificate's own organisation is the caller."""
        sender = via_party or from_party or certificate.oin
        controller = from_party or certificate.oin
        if certificate.oin != sender:
            named = FROM_PARTY if sender == controller else f"{VIA_PARTY} (the sender)"
            raise Unauthenticated(
                f"{named} {sender} is not the organisation of the client certificate (OIN {certificate.oin})"
            )
        participant = self.participants.get(controller)
        if participant is None:
            raise Unauthenticated(
                f"OIN {controller} is not a participant of this exchange (not in its participant register)"
            )
        if sender != controller and sender not in participant.verwerkers:
            raise Unauthenticated(f"OIN {sender} is not a registered verwerker of {controller}")
        return Caller(
            subject=f"oin:{certificate.oin}",
            oin=controller,
            role=participant.rol,
            scopes=frozenset(participant.scopes),
            suwi=participant.suwi,
            purpose=purpose or participant.doelbinding,
        )

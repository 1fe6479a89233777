"""The v1 SMTP presets: how a session's SMTP listener refuses, delays or drops mail."""

from pretenders_proxy.api import mail_views
from pretenders_proxy.api.mail_schemas import SmtpPresetIn
from pretenders_proxy.api.preset_routes import PresetKind, preset_routes
from pretenders_proxy.api.router import Router
from pretenders_proxy.api.v1 import SESSION
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.wire.mail import SmtpPresetOut

router = Router("smtp presets")

preset_routes(
    router,
    PresetKind(
        noun="SMTP preset",
        stem="smtp_preset",
        path="/api/v1/smtp/presets",
        protocol=SessionProtocol.SMTP,
        body=SmtpPresetIn,
        response=SmtpPresetOut,
        add_summary="Add an SMTP preset: reject, tempfail, delay or drop mail for matching "
        "recipients",
        to_preset=SmtpPresetIn.to_preset,
        add=lambda state, session, preset: state.add_smtp_preset(session, preset),
        book=lambda session: session.smtp_presets,
        smtp=True,
        view=mail_views.smtp_preset,
    ),
    SESSION,
    __name__,
)

"""Trust: our CA's key stays private, and upstream certificates are checked against the system
roots plus `--upstream-ca`. (`pretenders env` writes the bundle for clients.)"""

import logging
from pathlib import Path

from mitmproxy import ctx, exceptions

from pretenders_proxy.certs import secure_keys, system_roots, upstream_bundle
from pretenders_proxy.errors import ConfigError

logger = logging.getLogger(__name__)
UPSTREAM = {"pretenders_upstream_ca", "confdir"}


class Trust:
    """Keeps the CA key private and points mitmproxy's upstream verification at our bundle."""

    def __init__(self) -> None:
        self._trusted: str | None = None  # the ssl_verify_upstream_trusted_ca value we set

    def configure(self, updated: set[str]) -> None:
        confdir = Path(ctx.options.confdir).expanduser()
        try:
            if "confdir" in updated:
                secure_keys(confdir)  # TlsConfig, before us, has just made or loaded the CA
            if updated & UPSTREAM:
                self._trust_upstream(confdir, ctx.options.pretenders_upstream_ca)
        except (ConfigError, OSError) as e:
            raise exceptions.OptionsError(f"pretenders: {e}") from e
        if "ssl_insecure" in updated and ctx.options.ssl_insecure:
            logger.warning("upstream TLS certificates are NOT verified (--upstream-insecure)")

    def _trust_upstream(self, confdir: Path, extra: str) -> None:
        current = ctx.options.ssl_verify_upstream_trusted_ca
        if current is not None and current != self._trusted:
            return  # set by hand (mitmdump --set ...): theirs wins
        wanted = str(upstream_bundle(confdir, Path(extra)) if extra else system_roots())
        self._trusted = wanted
        if wanted != current:
            ctx.options.update(ssl_verify_upstream_trusted_ca=wanted)

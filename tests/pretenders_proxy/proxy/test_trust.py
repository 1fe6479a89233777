from pathlib import Path

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons

from pretenders_proxy.certs import system_roots
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.proxy.trust import Trust
from pretenders_proxy.server.runtime import Runtime

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def test_upstream_certificates_are_checked_against_the_system_roots(tmp_path: Path) -> None:
    trust = Trust()
    with taddons.context(Options(Runtime()), trust) as tctx:
        tctx.configure(trust, confdir=str(tmp_path))
        assert tctx.options.ssl_verify_upstream_trusted_ca == str(system_roots())


def test_upstream_ca_adds_to_them(tmp_path: Path) -> None:
    extra = tmp_path / "company.pem"
    extra.write_text(PEM)
    trust = Trust()
    with taddons.context(Options(Runtime()), trust) as tctx:
        tctx.configure(trust, confdir=str(tmp_path), pretenders_upstream_ca=str(extra))
        bundle = Path(tctx.options.ssl_verify_upstream_trusted_ca)
    assert bundle.parent == tmp_path
    assert bundle.read_text().endswith(PEM)


def test_servers_sharing_a_confdir_keep_their_own_upstream_ca(tmp_path: Path) -> None:
    """Two servers with one confdir and different --upstream-ca: neither replaces the other's
    bundle (mitmproxy reads it again for every upstream connection)."""
    bundles = []
    for name in ("first", "second"):
        extra = tmp_path / f"{name}.pem"
        extra.write_text(PEM.replace("MIIB", f"MIIB{name}"))
        trust = Trust()
        with taddons.context(Options(Runtime()), trust) as tctx:
            tctx.configure(trust, confdir=str(tmp_path), pretenders_upstream_ca=str(extra))
            bundles.append(Path(tctx.options.ssl_verify_upstream_trusted_ca))
    first, second = bundles
    assert first != second
    assert "MIIBfirst" in first.read_text()
    assert "MIIBsecond" in second.read_text()


def test_a_hand_set_trust_file_wins(tmp_path: Path) -> None:
    trust = Trust()
    with taddons.context(Options(Runtime()), trust) as tctx:
        tctx.configure(trust, ssl_verify_upstream_trusted_ca="/mine.pem", confdir=str(tmp_path))
        assert tctx.options.ssl_verify_upstream_trusted_ca == "/mine.pem"


def test_a_bad_upstream_ca_is_refused(tmp_path: Path) -> None:
    trust = Trust()
    with (
        taddons.context(Options(Runtime()), trust) as tctx,
        pytest.raises(exceptions.OptionsError, match=r"no\.pem"),
    ):
        tctx.configure(trust, confdir=str(tmp_path), pretenders_upstream_ca="/no.pem")

"""Startup of a fresh pretenders process: mitmproxy's addon modules load one by one."""

import subprocess
import sys


def test_the_addons_package_is_not_run_but_its_modules_load() -> None:
    probe = (
        "import sys; from pretenders_proxy.server import startup; startup.addons_one_by_one(); "
        "from mitmproxy.addons import proxyserver, core; "
        "print('flask' in sys.modules, 'ldap3' in sys.modules, proxyserver.Proxyserver.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False", "Proxyserver"]

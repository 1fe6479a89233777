# Load pretenders into a stock mitmproxy:  mitmdump -s addons/pretenders.py
# (or mitmweb -s ...). Options: mitmdump --options | grep pretenders_
from pretenders_proxy.proxy import default_addons

addons = default_addons()

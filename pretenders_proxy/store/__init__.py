"""The only mutable state of a running pretenders: sessions with their presets and history."""

from pretenders_proxy.store.history import History
from pretenders_proxy.store.presets import PresetBook, StoredPreset
from pretenders_proxy.store.session import Session
from pretenders_proxy.store.sessions import Store

__all__ = ["History", "PresetBook", "Session", "Store", "StoredPreset"]

"""A preset kept in a book and counting its uses: what HTTP and SMTP presets share about `times`."""

from dataclasses import dataclass


@dataclass(slots=True)
class Stored[P]:
    """A preset in a book (`P`: an HTTP Preset or an SmtpPreset): its id, what is left of its
    `times` (None: FOREVER), and how often it served."""

    id: int
    preset: P
    remaining: int | None
    served: int = 0

    def use(self) -> bool:
        """Count one use; True when that was the last one (the preset should go)."""
        self.served += 1
        if self.remaining is None:
            return False
        self.remaining -= 1
        return self.remaining <= 0

"""outreach_planner: weekly route planning for civil-registration outreach (jemput bola)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("outreach-planner")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

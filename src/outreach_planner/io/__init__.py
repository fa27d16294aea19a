"""Reading and writing workspaces and plans. Geodata goes through geopandas, lazily."""

from .read import read_workspace
from .write_workspace import write_workspace

__all__ = ["read_workspace", "write_workspace"]

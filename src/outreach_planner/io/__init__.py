"""Reading and writing workspaces and plans. Geodata goes through geopandas, lazily."""

from .read import read_workspace
from .write_plan import write_plan_outputs
from .write_workspace import write_workspace

__all__ = ["read_workspace", "write_plan_outputs", "write_workspace"]

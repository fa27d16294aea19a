"""Frozen domain model. Imports pydantic only (no geopandas, folium or ortools)."""

from .calendar import WEEKDAYS, Break, Calendar, DayRange, Weekday, Window
from .entities import (
    ACTIVITIES,
    Activity,
    Delivery,
    Depot,
    HomeVisitRequest,
    Lodging,
    LodgingKind,
    Policy,
    PriorityWeights,
    Regency,
    School,
    Service,
    Team,
    Village,
    mask_nik,
)
from .workspace import TravelConfig, Workspace, break_findings, cross_check

__all__ = [
    "ACTIVITIES",
    "WEEKDAYS",
    "Activity",
    "Break",
    "Calendar",
    "DayRange",
    "Delivery",
    "Depot",
    "HomeVisitRequest",
    "Lodging",
    "LodgingKind",
    "Policy",
    "PriorityWeights",
    "Regency",
    "School",
    "Service",
    "Team",
    "TravelConfig",
    "Village",
    "Weekday",
    "Window",
    "Workspace",
    "break_findings",
    "cross_check",
    "mask_nik",
]

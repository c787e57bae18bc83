"""Subsonic and OpenSubsonic servers (Navidrome, Gonic, Airsonic, Supysonic, ...) as a music
source: the API client, sign-in, server addresses and Encore's ids for their songs."""

from .auth import Credentials
from .client import ServerInfo, SubsonicClient, new_http_client
from .errors import SubsonicError
from .urls import BadServerUrl, host_allowed, normalize_url

__all__ = [
    "BadServerUrl",
    "Credentials",
    "ServerInfo",
    "SubsonicClient",
    "SubsonicError",
    "host_allowed",
    "new_http_client",
    "normalize_url",
]

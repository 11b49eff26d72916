"""Guard every HTTP connection: refuse internal addresses when connecting, cut off slow answers.

Both guards sit below requests, in the connection urllib3 opens, so they hold for the first
request, every redirect and every discovered feed alike:

- the host name is resolved once, each address is checked, and the socket is connected to a
  checked address (then its peer is checked again), so a name that resolves to a public
  address for a check and to 127.0.0.1 for the connection (DNS rebinding) gets nowhere;
- a `Deadline` shuts down the sockets of one fetch when its time is up, however slowly the
  server drips its bytes (a blocked read returns at once instead of waiting for 64 KiB).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError, NewConnectionError

# Addresses that lead to the cloud provider's instance metadata, named in refusals.
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_active = threading.local()  # the Deadline of the fetch running on this thread


class AddressRefused(Exception):
    """A connection to an internal address that [fetch] allow_hosts does not name.

    Deliberately not an OSError: urllib3 and requests let it through unwrapped and unretried.
    """


def address_kind(ip: str) -> str | None:
    """Return why an IP address is internal ("loopback", "private", ...), or None if public.

    `::ffff:127.0.0.1` and `64:ff9b::7f00:1` are judged by the IPv4 address they carry.
    """
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return "unparsable"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in METADATA:
        return "cloud metadata"
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:
        return "non-public"  # shared address space (100.64/10) and the like
    return None


class AddressPolicy:
    """Which connections are allowed: public addresses, plus the hosts `allow_hosts` names."""

    def __init__(self, allow_hosts: Iterable[str] = ()) -> None:
        self.allowed = {split_host(entry) for entry in allow_hosts}

    def allows_host(self, host: str, port: int | None) -> bool:
        """Return True when `host` (or `host:port`) is opted in by name."""
        name = _host_key(host)
        return (name, None) in self.allowed or (name, port) in self.allowed

    def check(self, host: str, port: int | None, ip: str) -> None:
        """Raise AddressRefused when `host` resolved to an internal `ip` it is not allowed."""
        if self.allows_host(host, port):
            return
        kind = address_kind(ip)
        if kind is None:
            return
        shown = f"[{_host_key(host)}]" if ":" in _host_key(host) else _host_key(host)
        named = f"{shown}:{port}" if port else shown
        via = "" if _host_key(host) == ip else f" ({ip})"
        raise AddressRefused(
            f"refused: {named}{via} is a {kind} address and internal addresses are not"
            f' fetched; if this host is yours, add "{named}" to [fetch] allow_hosts'
        )


def split_host(entry: str) -> tuple[str, int | None]:
    """Split an allow_hosts entry: `h`, `h:80`, `[::1]:80` or a bare `::1`, into (host, port)."""
    entry = entry.strip()
    host, port = entry, ""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    return _host_key(host), int(port) if port.isdigit() else None


def _host_key(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


class Deadline:
    """Shut down the sockets of one fetch once `seconds` have passed since `running` began."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        """Add a socket to cut off when the time is up (at once if it already is).

        A duplicate of its descriptor is kept: the socket stays reachable when TLS wraps it
        (which empties the original object) and its number cannot be reused meanwhile.
        """
        if sock is None:
            return
        try:
            handle = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:
            return  # already closed: nothing left to cut off
        with self._lock:
            self._sockets.append(handle)
            if self.expired:
                _shut(handle)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    @contextlib.contextmanager
    def running(self) -> Iterator[Deadline]:
        """Run the clock for the with-block; connections used in it on this thread are watched."""
        previous = getattr(_active, "deadline", None)
        _active.deadline = self
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.cancel()
            _active.deadline = previous
            with self._lock:
                handles, self._sockets = self._sockets, []
            for handle in handles:
                handle.close()  # the duplicate only: the connection itself stays pooled


def _shut(sock: socket.socket) -> None:
    # shutdown, not close: it acts on the connection shared by every duplicate descriptor,
    # and a blocked recv() in the reading thread returns at once.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _watch(sock: socket.socket | None) -> None:
    deadline = getattr(_active, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


class _Guarded:
    """Connection behaviour shared by the HTTP and HTTPS classes made by `guarded_adapter`."""

    policy: AddressPolicy
    host: str
    port: int
    _dns_host: str

    def _new_conn(self) -> socket.socket:
        name = self._dns_host
        try:
            infos = socket.getaddrinfo(name, self.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            # Raised here, not left to urllib3's own lookup: a second lookup could answer
            # differently and would go unchecked.
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        refusal: AddressRefused | None = None
        failure: NewConnectionError | None = None
        for ip in addresses:
            try:
                self.policy.check(self.host, self.port, ip)
            except AddressRefused as exc:
                refusal = refusal or exc
                continue
            self._dns_host = ip  # connect to the address just checked, not a fresh lookup
            try:
                sock: socket.socket = super()._new_conn()  # type: ignore[misc]
            except NewConnectionError as exc:
                failure = exc
                continue
            finally:
                self._dns_host = name
            try:
                self.policy.check(self.host, self.port, str(sock.getpeername()[0]))
            except AddressRefused:
                sock.close()
                raise
            _watch(sock)
            return sock
        if failure is not None:
            raise failure
        assert refusal is not None  # getaddrinfo returns at least one address or raises
        raise refusal

    def getresponse(self) -> Any:
        _watch(getattr(self, "sock", None))  # a kept-alive connection serves this fetch too
        return super().getresponse()  # type: ignore[misc]


def guarded_adapter(policy: AddressPolicy, **kwargs: Any) -> HTTPAdapter:
    """Return a requests adapter whose connections obey `policy` and the running Deadline."""
    http_conn = type("HTTPConnection", (_Guarded, HTTPConnection), {"policy": policy})
    https_conn = type("HTTPSConnection", (_Guarded, HTTPSConnection), {"policy": policy})
    http_pool = type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kw: Any) -> None:
            super().init_poolmanager(*args, **kw)
            self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}

    return GuardedAdapter(**kwargs)

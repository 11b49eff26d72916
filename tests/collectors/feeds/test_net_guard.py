"""Which addresses count as internal, and how [fetch] allow_hosts opts hosts in (no sockets)."""

from __future__ import annotations

import pytest
from brandpulse.collectors.net_guard import AddressPolicy, AddressRefused, address_kind


@pytest.mark.parametrize(
    ("ip", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_address_kinds(ip: str, kind: str | None) -> None:
    assert address_kind(ip) == kind


def test_allow_hosts_names_a_host_or_a_host_and_port() -> None:
    policy = AddressPolicy(["feeds.intra", "10.0.0.5:8080", "[fd00::1]:443"])
    policy.check("feeds.intra", 1234, "10.9.9.9")
    policy.check("10.0.0.5", 8080, "10.0.0.5")
    policy.check("fd00::1", 443, "fd00::1")
    policy.check("news.example", 443, "93.184.216.34")
    for host, port, ip in [
        ("10.0.0.5", 8081, "10.0.0.5"),
        ("fd00::1", 80, "fd00::1"),
        ("metadata.google.internal", 80, "169.254.169.254"),
    ]:
        with pytest.raises(AddressRefused):
            policy.check(host, port, ip)

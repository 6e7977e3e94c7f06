"""The network registry's rules: one module per network, everything else reads the registry."""

from __future__ import annotations

import importlib
import io
import re
import tokenize
from pathlib import Path

import pytest

from desktop.core import networks
from desktop.core.networks import REGISTRY, LinkFlow
from desktop.core.ports import AdapterContext
from desktop.core.settings import Settings

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"


@pytest.mark.parametrize("network", REGISTRY, ids=lambda n: n.id)
def test_each_entry_lives_in_the_module_named_after_it_and_counts_in_its_own_name(network):
    module = importlib.import_module(f"desktop.core.networks.{network.id}")
    assert module.NETWORK is network and module.ID == network.id
    count = network.count("Hello 👋🏽")
    assert count.network == network.id and count.limit == network.default_limits[network.limit_key]
    assert re.fullmatch(r"#[0-9A-F]{6}", network.brand.light) and re.fullmatch(r"#[0-9A-F]{6}", network.brand.dark)
    assert all(spec.key.startswith(f"{network.id}.") for spec in network.settings)
    if network.limit_setting:
        assert network.limit_setting in {spec.key for spec in network.settings}


@pytest.mark.parametrize("network", [n for n in REGISTRY if n.adapter], ids=lambda n: n.id)
def test_each_adapter_builds_a_client_for_its_link_flow(network):
    adapter = importlib.import_module(network.adapter)
    factory = adapter.client_factory(AdapterContext(Settings(None).get, {}))  # the defaults
    client = factory()
    assert client is factory()  # one shared client
    assert callable(client.publish) and callable(client.find_published)
    if network.link is not None and network.link.flow is LinkFlow.APP_PASSWORD:
        assert callable(client.link)
    elif network.link is not None:
        assert callable(client.check_ready) and callable(client.link_with_browser)
        if network.link.pasted_code:
            assert callable(client.begin_code) and callable(client.complete_code)
    getattr(factory, "close", lambda: None)()


def test_ids_are_unique_and_parse_back():
    ids = [network.id for network in REGISTRY]
    assert len(set(ids)) == len(ids)
    assert all(networks.parse_network(f" {i.upper()} ") == i for i in ids)
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        networks.get("myspace")


def _quoted_strings(path: Path) -> set[str]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return {token.string.strip("\"'") for token in tokens if token.type == tokenize.STRING}


def test_a_network_id_is_written_only_in_the_files_named_after_it():
    # ids of one or two letters ("x") are also ordinary strings, so the rule is checked for the others
    ids = [network.id for network in REGISTRY if len(network.id) > 2]
    offenders = []
    for path in DESKTOP.rglob("*.py"):
        found = _quoted_strings(path) & set(ids)
        for network_id in found:
            if network_id not in path.relative_to(DESKTOP).with_suffix("").parts:
                offenders.append(f"{path.relative_to(DESKTOP)}: {network_id!r}")
    assert offenders == []

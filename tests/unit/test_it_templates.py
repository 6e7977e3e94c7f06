"""The IT templates in packaging/it/ and the IT guide's settings table: generated from the setting
declarations, current (byte for byte), structurally valid for the tools that read them, and
complete (every declared setting appears in every one of them).

No JSON Schema library is installed (and none is needed by Chorus): the Linux schema is checked
with a small validator for exactly the keywords it uses, and a test keeps it to those keywords.
"""

from __future__ import annotations

import json
import plistlib
import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from desktop.core import it_templates
from desktop.core.it_templates import (
    ADML_FILE,
    ADMX_FILE,
    BUNDLE_ID,
    JAMF_FILE,
    KIND_FORMATS,
    MOBILECONFIG_FILE,
    README_BEGIN,
    README_END,
    RECOMMENDED_KEY,
    REGENERATE_COMMAND,
    REGISTRY_KEY,
    SCHEMA_FILE,
    ItTemplates,
    KindFormat,
    TemplateError,
)
from desktop.core.setting_spec import Kind, SettingSpec
from desktop.core.settings import SPECS

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "packaging" / "it"
README = REPO / "packaging" / "README-IT.md"
NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
KEYS = {spec.key for spec in SPECS}
# secrets are read only from the locked level, so they have no recommended policy
SECRET_KEYS = {spec.key for spec in SPECS if spec.secret}


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return ItTemplates().render()


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


# -- current ---------------------------------------------------------------------------------------
def test_the_generated_templates_are_current(tmp_path):
    it_templates.write(tmp_path, None)
    generated = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(COMMITTED).as_posix() for p in COMMITTED.rglob("*") if p.is_file()}
    hint = f"run `{REGENERATE_COMMAND}` from the repository root and commit packaging/it/ and packaging/README-IT.md"
    assert committed == generated, f"packaging/it/ holds {sorted(committed)}, the generator writes {sorted(generated)}: {hint}"
    stale = [name for name in sorted(generated) if (tmp_path / name).read_bytes() != (COMMITTED / name).read_bytes()]
    assert not stale, f"out of date: {', '.join('packaging/it/' + name for name in stale)}; {hint}"


def test_the_it_guide_settings_table_is_current():
    text = README.read_text(encoding="utf-8")
    assert ItTemplates().update_readme(text) == text, (
        f"the settings table in packaging/README-IT.md is out of date: run `{REGENERATE_COMMAND}` and commit it")


# -- complete --------------------------------------------------------------------------------------
def test_every_declared_setting_appears_in_every_output(rendered):
    admx = ET.fromstring(rendered[ADMX_FILE])
    for registry_key, expected in ((REGISTRY_KEY, KEYS), (RECOMMENDED_KEY, KEYS - SECRET_KEYS)):
        names = {_value_name(policy) for policy in admx.iter(f"{NS}policy") if policy.get("key") == registry_key}
        assert names == expected, registry_key
    strings = _strings(ET.fromstring(rendered[ADML_FILE]))
    for spec in SPECS:
        name = _policy_name_of(admx, spec.key)
        assert strings[name] == spec.label
        assert strings[f"{name}_Explain"].startswith(spec.help)
    mcx = _mcx_settings(plistlib.loads(rendered[MOBILECONFIG_FILE]))
    assert set(mcx) == KEYS
    assert set(json.loads(rendered[JAMF_FILE])["properties"]) == KEYS
    assert set(json.loads(rendered[SCHEMA_FILE])["properties"]) == KEYS
    table_keys = re.findall(r"^\| `([^`]+)` \|", _readme_table(ItTemplates().update_readme(README.read_text("utf-8"))),
                            re.MULTILINE)
    assert sorted(table_keys) == sorted(KEYS)


# -- Windows ---------------------------------------------------------------------------------------
def test_admx_and_adml_are_well_formed_and_every_reference_resolves(rendered):
    admx = ET.fromstring(rendered[ADMX_FILE])
    adml = ET.fromstring(rendered[ADML_FILE])
    assert admx.tag == f"{NS}policyDefinitions" and adml.tag == f"{NS}policyDefinitionResources"
    target = admx.find(f"{NS}policyNamespaces/{NS}target")
    assert target is not None and target.get("prefix") and target.get("namespace") == it_templates.ADMX_NAMESPACE
    assert admx.find(f"{NS}resources") is not None

    string_ids = [s.get("id") for s in adml.iter(f"{NS}string")]
    presentation_ids = [p.get("id") for p in adml.iter(f"{NS}presentation")]
    categories = [c.get("name") for c in admx.iter(f"{NS}category")]
    policies = list(admx.iter(f"{NS}policy"))
    supported = {d.get("name") for d in admx.iter(f"{NS}definition")}
    for what, ids in (("string", string_ids), ("presentation", presentation_ids), ("category", categories),
                      ("policy", [p.get("name") for p in policies])):
        assert len(ids) == len(set(ids)), f"duplicate {what} ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", name or "") for name in categories + [p.get("name") for p in policies])

    problems = []
    for element in admx.iter():
        for attribute, value in element.attrib.items():
            for reference in re.findall(r"\$\(string\.([^)]*)\)", value):
                if reference not in string_ids:
                    problems.append(f"{element.tag} {attribute}: no string {reference!r}")
    for parent in admx.iter(f"{NS}parentCategory"):
        if parent.get("ref") not in categories:
            problems.append(f"no category {parent.get('ref')!r}")
    presentations = {p.get("id"): p for p in adml.iter(f"{NS}presentation")}
    for policy in policies:
        name = policy.get("name")
        if policy.get("class") != "Both" or policy.get("key") not in (REGISTRY_KEY, RECOMMENDED_KEY):
            problems.append(f"{name}: class {policy.get('class')}, key {policy.get('key')}")
        support = policy.find(f"{NS}supportedOn")
        if support is None or support.get("ref") not in supported:
            problems.append(f"{name}: supportedOn does not resolve")
        if policy.find(f"{NS}parentCategory") is None:
            problems.append(f"{name}: no category")
        element_ids = {e.get("id") for e in _elements(policy)}
        if any(not e.get("valueName") for e in _elements(policy)):
            problems.append(f"{name}: an element without a valueName")
        reference = policy.get("presentation")
        if reference is None:
            if element_ids:
                problems.append(f"{name}: elements but no presentation")
            continue
        match = re.fullmatch(r"\$\(presentation\.(.+)\)", reference)
        presentation = presentations.get(match.group(1)) if match else None
        if presentation is None:
            problems.append(f"{name}: presentation {reference!r} does not resolve")
            continue
        ref_ids = {child.get("refId") for child in presentation if child.get("refId")}
        if ref_ids != element_ids:
            problems.append(f"{name}: presentation refers to {sorted(ref_ids)}, elements are {sorted(element_ids)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.key)
def test_each_setting_is_one_mandatory_and_one_recommended_policy_of_its_kind(rendered, spec):
    admx = ET.fromstring(rendered[ADMX_FILE])
    adml = ET.fromstring(rendered[ADML_FILE])
    strings = _strings(adml)
    matching = [p for p in admx.iter(f"{NS}policy") if _value_name(p) == spec.key]
    levels = [REGISTRY_KEY] if spec.secret else [REGISTRY_KEY, RECOMMENDED_KEY]
    assert sorted(p.get("key") for p in matching) == sorted(levels)
    for policy in matching:
        json_type = KIND_FORMATS[spec.kind].json_type
        elements = _elements(policy)
        if json_type == "boolean":
            assert elements == []
            assert policy.findall(f"{NS}enabledValue/{NS}decimal")[0].get("value") == "1"
            assert policy.findall(f"{NS}disabledValue/{NS}decimal")[0].get("value") == "0"
            continue
        (element,) = elements
        presentation = next(p for p in adml.iter(f"{NS}presentation")
                            if f"$(presentation.{p.get('id')})" == policy.get("presentation"))
        box = next(child for child in presentation if child.get("refId") == element.get("id"))
        fmt = KIND_FORMATS[spec.kind]
        if json_type == "integer":
            assert element.tag == f"{NS}decimal"
            assert (int(element.get("minValue")), int(element.get("maxValue"))) == (spec.minimum, spec.maximum)
            assert box.tag == f"{NS}decimalTextBox" and box.get("defaultValue") == str(spec.default)
        elif json_type == "string" and fmt.from_choices:
            assert element.tag == f"{NS}enum"
            values = [item.find(f"{NS}value/{NS}string").text for item in element.iter(f"{NS}item")]
            labels = [strings[item.get("displayName")[len("$(string."):-1]] for item in element.iter(f"{NS}item")]
            assert list(zip(values, labels, strict=True)) == list(spec.choices)
            assert box.tag == f"{NS}dropdownList" and values[int(box.get("defaultItem"))] == spec.default
        elif json_type == "string":
            assert element.tag == f"{NS}text" and box.tag == f"{NS}textBox"
        else:
            assert json_type == "array"
            assert element.tag == f"{NS}multiText" and box.tag == f"{NS}multiTextBox"  # REG_MULTI_SZ


# -- macOS -----------------------------------------------------------------------------------------
def test_the_mobileconfig_forces_every_default_for_the_bundle_id_with_stable_uuids(rendered):
    profile = plistlib.loads(rendered[MOBILECONFIG_FILE])
    assert profile["PayloadType"] == "Configuration" and profile["PayloadVersion"] == 1
    (payload,) = profile["PayloadContent"]
    assert payload["PayloadType"] == "com.apple.ManagedClient.preferences" and payload["PayloadVersion"] == 1
    assert list(payload["PayloadContent"]) == [BUNDLE_ID]
    uuids = [profile["PayloadUUID"], payload["PayloadUUID"]]
    assert len(set(uuids)) == 2 and all(uuid.UUID(u).version == 5 for u in uuids)
    assert len({profile["PayloadIdentifier"], payload["PayloadIdentifier"]}) == 2
    settings = _mcx_settings(profile)
    for spec in SPECS:
        value = settings[spec.key]
        assert value == _plain(spec.default) and type(value) is type(_plain(spec.default)), spec.key
        assert spec.coerce(value) == spec.default
    assert ItTemplates().mobileconfig() == rendered[MOBILECONFIG_FILE]  # the same bytes every time


def test_the_jamf_manifest_describes_every_setting(rendered):
    manifest = json.loads(rendered[JAMF_FILE])
    assert BUNDLE_ID in manifest["title"] and manifest["description"]
    orders = [entry["property_order"] for entry in manifest["properties"].values()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    for spec in SPECS:
        entry = manifest["properties"][spec.key]
        assert (entry["title"], entry["description"], entry["default"]) == (spec.label, spec.help, _plain(spec.default))
        _assert_json_type(entry, spec)
        if spec.kind is Kind.CHOICE:  # Jamf shows the labels instead of the values
            assert entry["options"]["enum_titles"] == [label for _, label in spec.choices]


# -- Linux -----------------------------------------------------------------------------------------
SCHEMA_KEYWORDS = {"$schema", "title", "description", "type", "additionalProperties", "properties", "enum",
                   "minimum", "maximum", "items", "uniqueItems", "default", "examples"}


def test_the_linux_schema_is_draft_2020_12_and_uses_only_keywords_the_check_below_knows(rendered):
    schema = json.loads(rendered[SCHEMA_FILE])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False

    def walk(node: dict[str, Any], where: str) -> None:
        unknown = set(node) - SCHEMA_KEYWORDS
        assert not unknown, f"{where}: {unknown} (teach _schema_errors these keywords first)"
        for key, child in node.get("properties", {}).items():
            walk(child, f"{where}.{key}")
        if "items" in node:
            walk(node["items"], f"{where}[]")

    walk(schema, "$")
    for spec in SPECS:
        entry = schema["properties"][spec.key]
        _assert_json_type(entry, spec)
        for sample in (entry["default"], *entry["examples"]):
            assert _schema_errors(entry, sample) == [], (spec.key, sample)


def test_the_linux_schema_accepts_a_file_exactly_when_chorus_does(rendered):
    schema = json.loads(rendered[SCHEMA_FILE])
    everything = {spec.key: _plain(spec.default) for spec in SPECS}
    assert _schema_errors(schema, everything) == []
    assert _schema_errors(schema, {}) == []
    assert _schema_errors(schema, {"policy.sorce": "default"}) == ["$: unknown key 'policy.sorce'"]
    disagreements = []
    for spec in SPECS:
        for value in _probes(spec):
            try:
                spec.coerce(value)
                chorus_accepts = True
            except ValueError:
                chorus_accepts = False
            schema_accepts = _schema_errors(schema, {spec.key: value}) == []
            if schema_accepts != chorus_accepts:
                disagreements.append(f"{spec.key} = {value!r}: schema {schema_accepts}, Chorus {chorus_accepts}")
    assert not disagreements, "\n".join(disagreements)


# -- the IT guide ----------------------------------------------------------------------------------
def test_the_settings_table_has_one_row_per_setting_with_type_default_and_a_valid_example():
    table = ItTemplates().settings_table()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(SPECS)
    for spec, row in zip(SPECS, rows, strict=True):
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert len(cells) == 5, row
        assert cells[0] == f"`{spec.key}`"
        assert json.loads(cells[2].strip("`")) == _plain(spec.default)
        example = json.loads(cells[4].strip("`").replace("&#124;", "|"))
        spec.coerce(example)  # raises if the guide's example would be refused
        assert "<" not in cells[3] and "\n" not in cells[3]  # no HTML that Markdown would swallow


def test_the_readme_table_is_rewritten_in_place_and_missing_markers_are_refused():
    templates = ItTemplates()
    text = f"# Guide\n\nbefore\n\n{README_BEGIN}\n| stale |\n{README_END}\n\nafter\n"
    updated = templates.update_readme(text)
    assert updated.startswith("# Guide\n\nbefore\n\n" + README_BEGIN + "\n| Key |")
    assert updated.endswith(f"{README_END}\n\nafter\n") and "| stale |" not in updated
    assert templates.update_readme(updated) == updated
    with pytest.raises(TemplateError, match="settings:begin"):
        templates.update_readme("# Guide without the markers\n", "guide.md")


# -- kinds -----------------------------------------------------------------------------------------
class _FutureKind(str, Enum):
    TEXTS = "hosts"  # a kind Chorus does not have (a list of host names), to show what adding one takes


class _TextsSpec(SettingSpec):
    def coerce(self, value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise ValueError(f"{self.key!r} must be a list of texts")


def _hosts_spec() -> SettingSpec:
    return _TextsSpec("network.no_proxy", _FutureKind.TEXTS, ("intranet.example.com",),  # type: ignore[arg-type]
                      "Hosts reached without the proxy", "One host name per item.", "Network")


def test_every_kind_is_described_for_it():
    missing = [kind.value for kind in Kind if kind not in KIND_FORMATS]
    assert not missing, f"add {missing} to KIND_FORMATS in desktop/core/it_templates.py"


def test_an_unknown_kind_is_refused_with_what_to_do():
    with pytest.raises(TemplateError) as raised:
        ItTemplates([_hosts_spec()], examples={})
    message = str(raised.value)
    assert "'network.no_proxy'" in message and "'hosts'" in message and "KIND_FORMATS" in message


def test_a_list_of_texts_kind_needs_one_entry_in_kind_formats(tmp_path):
    formats = {**KIND_FORMATS, _FutureKind.TEXTS: KindFormat("array")}
    templates = ItTemplates([*SPECS, _hosts_spec()], formats=formats)
    files = templates.render()
    (policy, _) = [p for p in ET.fromstring(files[ADMX_FILE]).iter(f"{NS}policy") if _value_name(p) == "network.no_proxy"]
    assert [e.tag for e in _elements(policy)] == [f"{NS}multiText"]
    entry = json.loads(files[SCHEMA_FILE])["properties"]["network.no_proxy"]
    assert entry["type"] == "array" and entry["items"] == {"type": "string"}
    assert _schema_errors(entry, ["proxy-free.example.com"]) == [] and _schema_errors(entry, [1]) != []
    assert _mcx_settings(plistlib.loads(files[MOBILECONFIG_FILE]))["network.no_proxy"] == ["intranet.example.com"]
    assert "| `network.no_proxy` | a list of texts |" in templates.settings_table()


def test_a_format_that_does_not_fit_the_kind_is_refused():
    spec = SettingSpec("editor.font_size", Kind.INT, 12, "Size", "Points.", "Appearance", minimum=8, maximum=36)
    with pytest.raises(TemplateError, match="'editor.font_size', 12, is not of the JSON type 'string'"):
        ItTemplates([spec], formats={Kind.INT: KindFormat("string")}, examples={})
    with pytest.raises(TemplateError, match="JSON type 'number'"):
        ItTemplates([spec], formats={Kind.INT: KindFormat("number")}, examples={})


def test_an_empty_text_without_an_example_is_refused():
    spec = SettingSpec("network.proxy", Kind.TEXT, "", "Proxy", "The proxy's address.", "Network")
    with pytest.raises(TemplateError, match="'network.proxy'.*EXAMPLES"):
        ItTemplates([spec], examples={})
    assert ItTemplates([spec], examples={"network.proxy": "http://proxy.example.com:3128"}).example(spec)
    with pytest.raises(TemplateError, match="do not exist: gone.key"):
        ItTemplates([spec], examples={"network.proxy": "x", "gone.key": "y"})


# -- the command -----------------------------------------------------------------------------------
def test_the_command_writes_the_templates_and_the_guide_table(tmp_path):
    guide = tmp_path / "README-IT.md"
    guide.write_text(f"# IT\n\n{README_BEGIN}\n{README_END}\n", encoding="utf-8")
    out = tmp_path / "it"
    command = [sys.executable, "-m", "desktop.core.it_templates", "--output", str(out), "--readme", str(guide)]
    first = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    for name in (ADMX_FILE, ADML_FILE, MOBILECONFIG_FILE, JAMF_FILE, SCHEMA_FILE):
        assert (out / name).read_bytes() == (COMMITTED / name).read_bytes()
    assert "| `policy.source` |" in guide.read_text(encoding="utf-8")
    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "up to date" in again.stdout
    missing = subprocess.run([*command[:-1], str(tmp_path / "nope.md")], cwd=REPO, capture_output=True, text=True,
                             timeout=120)
    assert missing.returncode == 2 and "nope.md: no such file" in missing.stderr


# -- helpers ---------------------------------------------------------------------------------------
def _elements(policy: ET.Element) -> list[ET.Element]:
    elements = policy.find(f"{NS}elements")
    return list(elements) if elements is not None else []


def _value_name(policy: ET.Element) -> str | None:
    names = [policy.get("valueName"), *(e.get("valueName") for e in _elements(policy))]
    (name,) = [n for n in names if n]
    return name


def _policy_name_of(admx: ET.Element, key: str) -> str:
    return next(p.get("name") for p in admx.iter(f"{NS}policy") if _value_name(p) == key and
                p.get("key") == REGISTRY_KEY)


def _strings(adml: ET.Element) -> dict[str, str]:
    return {s.get("id"): s.text or "" for s in adml.iter(f"{NS}string")}


def _mcx_settings(profile: dict[str, Any]) -> dict[str, Any]:
    (forced,) = profile["PayloadContent"][0]["PayloadContent"][BUNDLE_ID]["Forced"]
    return forced["mcx_preference_settings"]


def _readme_table(text: str) -> str:
    return text[text.index(README_BEGIN):text.index(README_END)]


def _assert_json_type(entry: dict[str, Any], spec: SettingSpec) -> None:
    """*entry*'s JSON Schema keywords say what *spec* accepts (checked against the declaration)."""
    fmt = KIND_FORMATS[spec.kind]
    choices = [value for value, _ in spec.choices]
    assert entry["type"] == fmt.json_type
    if fmt.json_type == "integer":
        assert (entry.get("minimum"), entry.get("maximum")) == (spec.minimum, spec.maximum)
    elif fmt.json_type == "array":
        assert entry["items"] == ({"type": "string", "enum": choices} if fmt.from_choices else {"type": "string"})
    else:
        assert entry.get("enum") == (choices if fmt.from_choices else None)


def _probes(spec: SettingSpec) -> list[Any]:
    """Values a person might write for *spec*: right, wrong type, out of range, not a choice."""
    probes: list[Any] = [None, True, False, 0, 1, -1, 1.5, "", "x", "system", [], ["x"], [1], {}, {"a": 1},
                         _plain(spec.default)]
    choices = [value for value, _ in spec.choices]
    probes += choices + [[choice] for choice in choices] + [choices[:2], choices[::-1], ["nowhere"]]
    for bound in (spec.minimum, spec.maximum):
        if bound is not None:
            probes += [bound - 1, bound, bound + 1]
    return probes


def _schema_errors(schema: dict[str, Any], value: Any, where: str = "$") -> list[str]:
    """The JSON Schema keywords the Linux schema uses, checked as draft 2020-12 defines them."""
    types = {"boolean": lambda v: isinstance(v, bool), "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
             "string": lambda v: isinstance(v, str), "array": lambda v: isinstance(v, list),
             "object": lambda v: isinstance(v, dict)}
    if "type" in schema and not types[schema["type"]](value):
        return [f"{where}: not a {schema['type']}"]
    errors = []
    if "enum" in schema and not any(type(value) is type(option) and value == option for option in schema["enum"]):
        errors.append(f"{where}: not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{where}: below {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        errors.append(f"{where}: above {schema['maximum']}")
    if isinstance(value, list):
        for index, item in enumerate(value):
            errors += _schema_errors(schema.get("items", {}), item, f"{where}[{index}]")
        if schema.get("uniqueItems") and len({json.dumps(item) for item in value}) != len(value):
            errors.append(f"{where}: repeated items")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                errors += _schema_errors(properties[key], item, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unknown key {key!r}")
    return errors

"""IT templates generated from the setting declarations, so they can never drift from them.

From :data:`desktop.core.settings.SPECS` this writes, under ``packaging/it/``:

- ``chorus.admx`` + ``en-US/chorus.adml``: Group Policy / Intune administrative templates. Every
  setting is a policy twice (Chrome's model): under "Chorus" (mandatory, registry key
  ``Software\\Policies\\Chorus\\Chorus``) and under "Chorus - recommended" (a default the user may
  change, ``...\\Recommended``); class ``Both`` (HKLM and HKCU). Registry value names are the keys.
- ``chorus.mobileconfig``: a sample macOS configuration profile forcing every default (a starting
  point: delete what you do not want to lock), and ``chorus.jamf.json``, a Jamf Pro JSON-schema
  manifest for "Application & Custom Settings".
- ``chorus-managed.schema.json``: the JSON Schema of the Linux files in
  ``/etc/xdg/chorus/{managed,recommended}/*.json`` (one object: setting key -> value).
- the settings table of ``packaging/README-IT.md``, rewritten in place between marker comments.

Regenerate after changing a setting (``tests/unit/test_it_templates.py`` fails until you do)::

    python -m desktop.core.it_templates

It lives in the core, not in ``packaging/``, because it is imported by a test and ``packaging`` is
also the name of a PyPI library every Python tool imports: a ``packaging/`` package in the repo
would shadow it. Plain Python (xml.etree, plistlib, json); people running Chorus never call it.
"""

from __future__ import annotations

import argparse
import json
import plistlib
import re
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop import APP_NAME, BUNDLE_ID
from desktop.core.setting_spec import Kind, SettingSpec
from desktop.core.settings import SPECS

VENDOR = "Chorus"
REGISTRY_KEY = r"Software\Policies\Chorus\Chorus"
RECOMMENDED_KEY = REGISTRY_KEY + r"\Recommended"
LINUX_MANAGED_DIR = "/etc/xdg/chorus/managed"
LINUX_RECOMMENDED_DIR = "/etc/xdg/chorus/recommended"
ADMX_NAMESPACE = "Chorus.Policies.Chorus"
POLICY_DEFINITIONS_NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"
DECIMAL_MAX = 4294967295  # an ADMX decimal is an unsigned 32-bit number (REG_DWORD)

README_BEGIN = "<!-- settings:begin -->"
README_END = "<!-- settings:end -->"
REGENERATE_COMMAND = "python -m desktop.core.it_templates"

# The generated files, relative to the output folder (packaging/it/).
ADMX_FILE = "chorus.admx"
ADML_FILE = "en-US/chorus.adml"
MOBILECONFIG_FILE = "chorus.mobileconfig"
JAMF_FILE = "chorus.jamf.json"
SCHEMA_FILE = "chorus-managed.schema.json"


class TemplateError(ValueError):
    """A setting the templates cannot describe (unknown kind, no example, a range ADMX cannot hold)."""


@dataclass(frozen=True)
class KindFormat:
    """How values of one :class:`Kind` look outside Chorus: the JSON type (which decides the plist
    type, the ADMX element and the registry type too) and whether values come from the choices."""

    json_type: str  # "boolean", "integer", "string" or "array" (of strings)
    from_choices: bool = False  # a string or every list item must be one of spec.choices


# The one place a kind is described for IT.
KIND_FORMATS: Mapping[Any, KindFormat] = {
    Kind.BOOL: KindFormat("boolean"),
    Kind.INT: KindFormat("integer"),
    Kind.TEXT: KindFormat("string"),
    Kind.CHOICE: KindFormat("string", from_choices=True),
    Kind.NETWORKS: KindFormat("array", from_choices=True),
    Kind.TEXTS: KindFormat("array"),
}

# Example values for the IT guide where the default says nothing (an empty text). Every other
# setting's example is derived from its declaration (the other boolean, another choice...).
EXAMPLES: Mapping[str, Any] = {
    "policy.source": "https://intranet.example.com/chorus/social-media.toml",
    "linkedin.client_id": "86a1b2c3d4e5f6",
    "linkedin.token_exchange_url": "https://chorus-linkedin.intranet.example.com/token",
    "linkedin.api_version": "202610",
    "linkedin.client_secret": "<your LinkedIn app's client secret>",
    "tips.folder": "/srv/chorus/tips",
    "network.proxy": "pac+https://wpad.intranet.example.com/proxy.pac",
    "network.ca_certificates": "/etc/ssl/certs/example-corp-root.pem",
    "mastodon.allowed_instances": ["mastodon.social", "*.example.com"],
    "publishing.time_zone": "Europe/Paris",
    "ideas.feeds": ["https://www.example.com/blog/feed.xml", "http://news.intranet.example.com/rss"],
    "ideas.folders": ["~/Documents/Release notes"],
}

_REGISTRY_TYPES = {"boolean": "REG_DWORD", "integer": "REG_DWORD", "string": "REG_SZ", "array": "REG_MULTI_SZ"}
_JSON_TYPES: Mapping[str, Callable[[Any], bool]] = {
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "string": lambda value: isinstance(value, str),
    "array": lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value),
}


class ItTemplates:
    """Renders every template from *specs*; :data:`KIND_FORMATS` says how each kind is written."""

    def __init__(self, specs: Iterable[SettingSpec] = SPECS,
                 formats: Mapping[Any, KindFormat] = KIND_FORMATS,
                 examples: Mapping[str, Any] = EXAMPLES) -> None:
        self.specs = tuple(specs)
        self.formats = formats
        self.examples = examples
        self._check()

    # -- the declarations, checked once --------------------------------------------------------
    def format(self, spec: SettingSpec) -> KindFormat:
        try:
            return self.formats[spec.kind]
        except KeyError:
            kind = getattr(spec.kind, "value", spec.kind)
            raise TemplateError(
                f"setting {spec.key!r} is of kind {kind!r}, which the IT templates cannot describe yet: add it to "
                "KIND_FORMATS in desktop/core/it_templates.py (its JSON type, and whether values come from its "
                f"choices), then run `{REGENERATE_COMMAND}`") from None

    def _check(self) -> None:
        unknown = sorted(set(self.examples) - {spec.key for spec in self.specs})
        if unknown:
            raise TemplateError(f"EXAMPLES in desktop/core/it_templates.py names settings that do not exist: "
                                f"{', '.join(unknown)}")
        seen: dict[str, str] = {}
        for spec in self.specs:
            fmt = self.format(spec)
            if fmt.json_type not in _REGISTRY_TYPES:
                raise TemplateError(f"KIND_FORMATS gives {spec.key!r} the JSON type {fmt.json_type!r}; "
                                    f"expected one of {', '.join(_REGISTRY_TYPES)}")
            if fmt.from_choices and not spec.choices:
                raise TemplateError(f"setting {spec.key!r} takes its values from its choices, but declares none")
            if fmt.json_type == "integer" and (spec.minimum or 0) < 0:
                raise TemplateError(f"setting {spec.key!r} allows negative numbers, which a Group Policy decimal "
                                    "(REG_DWORD) cannot hold")
            if not _JSON_TYPES[fmt.json_type](_plain(spec.default)):
                raise TemplateError(f"the default of {spec.key!r}, {spec.default!r}, is not of the JSON type "
                                    f"{fmt.json_type!r} that KIND_FORMATS gives its kind")
            name = _identifier(spec.key)
            if name in seen:
                raise TemplateError(f"settings {seen[name]!r} and {spec.key!r} both become the policy name {name!r}")
            seen[name] = spec.key
            for what, value in (("default", spec.default), ("example", self.example(spec))):
                try:
                    spec.coerce(_plain(value))
                except ValueError as exc:
                    raise TemplateError(f"the {what} of {spec.key!r} is not a valid value: {exc}") from None

    def example(self, spec: SettingSpec) -> Any:
        """A value worth showing IT: not the default where another value says more."""
        if spec.key in self.examples:
            return self.examples[spec.key]
        fmt = self.format(spec)
        default = _plain(spec.default)
        if fmt.json_type == "boolean":
            return not default
        if fmt.json_type == "integer":
            doubled = default * 2 if default else 1
            return doubled if spec.maximum is None or doubled <= spec.maximum else (spec.minimum or 0)
        choices = [value for value, _ in spec.choices]
        if fmt.json_type == "string" and fmt.from_choices:
            return next((value for value in choices if value != default), default)
        if fmt.json_type == "array" and fmt.from_choices:
            return choices[:2] if len(choices) > 2 else choices[:1]
        if default:
            return default
        raise TemplateError(f"setting {spec.key!r} has an empty default, so the IT guide needs an example: add one "
                            f"to EXAMPLES in desktop/core/it_templates.py, then run `{REGENERATE_COMMAND}`")

    def type_text(self, spec: SettingSpec) -> str:
        fmt = self.format(spec)
        choices = ", ".join(value for value, _ in spec.choices)
        if fmt.json_type == "boolean":
            return "true or false"
        if fmt.json_type == "integer":
            low = spec.minimum if spec.minimum is not None else 0
            return f"a whole number from {low} to {spec.maximum if spec.maximum is not None else DECIMAL_MAX}"
        if fmt.json_type == "string":
            return f"one of: {choices}" if fmt.from_choices else "a text"
        return f"a list, each item one of: {choices}" if fmt.from_choices else "a list of texts"

    def groups(self) -> list[str]:
        return list(dict.fromkeys(spec.group for spec in self.specs))

    # -- everything ----------------------------------------------------------------------------
    def render(self) -> dict[str, bytes]:
        """Every generated file: path relative to the output folder -> its bytes."""
        return {
            ADMX_FILE: self.admx(),
            ADML_FILE: self.adml(),
            MOBILECONFIG_FILE: self.mobileconfig(),
            JAMF_FILE: self.jamf_manifest(),
            SCHEMA_FILE: self.linux_schema(),
        }

    # -- Windows -------------------------------------------------------------------------------
    def admx(self) -> bytes:
        root = ET.Element("policyDefinitions", {
            "xmlns:xsd": "http://www.w3.org/2001/XMLSchema",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "revision": "1.0", "schemaVersion": "1.0", "xmlns": POLICY_DEFINITIONS_NS})
        namespaces = ET.SubElement(root, "policyNamespaces")
        ET.SubElement(namespaces, "target", {"prefix": "chorus", "namespace": ADMX_NAMESPACE})
        ET.SubElement(root, "resources", {"minRequiredRevision": "1.0"})
        supported = ET.SubElement(ET.SubElement(root, "supportedOn"), "definitions")
        ET.SubElement(supported, "definition", {"name": "SUPPORTED_Chorus", "displayName": "$(string.SUPPORTED_Chorus)"})
        categories = ET.SubElement(root, "categories")
        for top, _ in _LEVELS:
            ET.SubElement(categories, "category", {"name": top, "displayName": f"$(string.{top})"})
            for group in self.groups():
                category = ET.SubElement(categories, "category", {
                    "name": f"{top}_{_identifier(group)}", "displayName": f"$(string.group_{_identifier(group)})"})
                ET.SubElement(category, "parentCategory", {"ref": top})
        policies = ET.SubElement(root, "policies")
        for top, key in _LEVELS:
            for spec in self.specs:
                if spec.secret and top != _MANDATORY:
                    continue  # a secret is read only from the locked level (never a default a user could see)
                policies.append(self._policy(spec, top, key))
        return _xml_bytes(root)

    def _policy(self, spec: SettingSpec, top: str, key: str) -> ET.Element:
        name = _identifier(spec.key)
        fmt = self.format(spec)
        attributes = {"name": name if top == _MANDATORY else f"{name}_recommended", "class": "Both",
                      "displayName": f"$(string.{name})", "explainText": f"$(string.{name}_Explain)"}
        if fmt.json_type != "boolean":
            attributes["presentation"] = f"$(presentation.{name})"
        attributes["key"] = key
        if fmt.json_type == "boolean":
            attributes["valueName"] = spec.key
        policy = ET.Element("policy", attributes)
        ET.SubElement(policy, "parentCategory", {"ref": f"{top}_{_identifier(spec.group)}"})
        ET.SubElement(policy, "supportedOn", {"ref": "SUPPORTED_Chorus"})
        if fmt.json_type == "boolean":
            for state, number in (("enabledValue", "1"), ("disabledValue", "0")):
                ET.SubElement(ET.SubElement(policy, state), "decimal", {"value": number})
            return policy
        elements = ET.SubElement(policy, "elements")
        if fmt.json_type == "integer":
            ET.SubElement(elements, "decimal", {
                "id": name, "valueName": spec.key, "required": "true",
                "minValue": str(spec.minimum if spec.minimum is not None else 0),
                "maxValue": str(spec.maximum if spec.maximum is not None else DECIMAL_MAX)})
        elif fmt.json_type == "string" and fmt.from_choices:
            enum = ET.SubElement(elements, "enum", {"id": name, "valueName": spec.key, "required": "true"})
            for value, _ in spec.choices:
                item = ET.SubElement(enum, "item", {"displayName": f"$(string.{name}_{_identifier(value)})"})
                ET.SubElement(ET.SubElement(item, "value"), "string").text = value
        elif fmt.json_type == "string":
            ET.SubElement(elements, "text", {"id": name, "valueName": spec.key})
        else:  # a list: REG_MULTI_SZ, one item per line in the Group Policy editor
            ET.SubElement(elements, "multiText", {"id": name, "valueName": spec.key})
        return policy

    def adml(self) -> bytes:
        root = ET.Element("policyDefinitionResources", {
            "xmlns:xsd": "http://www.w3.org/2001/XMLSchema",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "revision": "1.0", "schemaVersion": "1.0", "xmlns": POLICY_DEFINITIONS_NS})
        ET.SubElement(root, "displayName").text = f"{APP_NAME} managed settings"
        ET.SubElement(root, "description").text = (
            f"Settings {APP_NAME} reads from {REGISTRY_KEY} (locked) and {RECOMMENDED_KEY} (defaults the user may "
            "change), in HKLM and HKCU. Generated from Chorus's setting declarations.")
        resources = ET.SubElement(root, "resources")
        strings = ET.SubElement(resources, "stringTable")

        def string(identifier: str, text: str) -> None:
            ET.SubElement(strings, "string", {"id": identifier}).text = text

        string("SUPPORTED_Chorus", f"{APP_NAME} with managed settings")
        string(_MANDATORY, APP_NAME)
        string(_RECOMMENDED, f"{APP_NAME} - recommended (users can change)")
        for group in self.groups():
            string(f"group_{_identifier(group)}", group)
        presentations = ET.SubElement(resources, "presentationTable")
        for spec in self.specs:
            name = _identifier(spec.key)
            fmt = self.format(spec)
            string(name, spec.label)
            string(f"{name}_Explain", self._explain(spec))
            if fmt.json_type == "string" and fmt.from_choices:
                for value, label in spec.choices:
                    string(f"{name}_{_identifier(value)}", label)
            if fmt.json_type == "boolean":
                continue
            presentation = ET.SubElement(presentations, "presentation", {"id": name})
            default = _plain(spec.default)
            if fmt.json_type == "integer":
                ET.SubElement(presentation, "decimalTextBox", {"refId": name, "defaultValue": str(default)}).text = (
                    spec.label)
            elif fmt.json_type == "string" and fmt.from_choices:
                values = [value for value, _ in spec.choices]
                ET.SubElement(presentation, "dropdownList", {
                    "refId": name, "noSort": "true", "defaultItem": str(values.index(default))}).text = spec.label
            elif fmt.json_type == "string":
                box = ET.SubElement(presentation, "textBox", {"refId": name})
                ET.SubElement(box, "label").text = spec.label
                if default:
                    ET.SubElement(box, "defaultValue").text = default
            else:
                ET.SubElement(presentation, "text").text = f"{spec.label} (one per line)"
                ET.SubElement(presentation, "multiTextBox", {"refId": name})
        return _xml_bytes(root)

    def _explain(self, spec: SettingSpec) -> str:
        fmt = self.format(spec)
        reg_type = _REGISTRY_TYPES[fmt.json_type]
        if fmt.json_type == "boolean":
            value = "Enabled: true (1); Disabled: false (0)"
        elif fmt.json_type == "array":
            value = f"Value: {self.type_text(spec)} (one item per line)"
        else:
            value = f"Value: {self.type_text(spec)}"
        return (f"{spec.help}\n\n{value}. Default: {_json(spec.default)}.\n\n"
                f"Registry value \"{spec.key}\" ({reg_type}) in HKLM or HKCU\\{REGISTRY_KEY}, locked; "
                f"or in ...\\Recommended, a default the user may change. Not configured: the user's own setting.")

    # -- macOS ---------------------------------------------------------------------------------
    def mobileconfig(self) -> bytes:
        settings = {spec.key: _plain(spec.default) for spec in self.specs}
        profile_id = f"{BUNDLE_ID}.managed-settings"
        payload = {
            "PayloadType": "com.apple.ManagedClient.preferences",
            "PayloadVersion": 1,
            "PayloadIdentifier": f"{profile_id}.preferences",
            "PayloadUUID": _uuid(f"{profile_id}.preferences"),
            "PayloadDisplayName": f"{APP_NAME} settings",
            "PayloadEnabled": True,
            "PayloadContent": {BUNDLE_ID: {"Forced": [{"mcx_preference_settings": settings}]}},
        }
        profile = {
            "PayloadType": "Configuration",
            "PayloadVersion": 1,
            "PayloadIdentifier": profile_id,
            "PayloadUUID": _uuid(profile_id),
            "PayloadDisplayName": f"{APP_NAME} managed settings (sample)",
            "PayloadDescription": (
                f"Sample: locks every {APP_NAME} setting to its default. Delete the keys you do not want to lock, "
                "change the values you do, and give the profile your own identifier and UUIDs."),
            "PayloadOrganization": "Example Organisation",
            "PayloadScope": "System",
            "PayloadContent": [payload],
        }
        return plistlib.dumps(profile, fmt=plistlib.FMT_XML, sort_keys=True)

    def jamf_manifest(self) -> bytes:
        properties: dict[str, Any] = {}
        for order, spec in enumerate(self.specs, start=1):
            entry: dict[str, Any] = {"title": spec.label, "description": spec.help, "property_order": order * 10}
            entry.update(self._json_type(spec))
            if spec.choices and self.format(spec).json_type == "string":
                entry["options"] = {"enum_titles": [label for _, label in spec.choices]}
            properties[spec.key] = entry
        manifest = {
            "title": f"{APP_NAME} ({BUNDLE_ID})",
            "description": f"{APP_NAME} managed settings. Each value set here is locked for the user (a forced "
                           "managed preference). Generated from Chorus's setting declarations.",
            "properties": properties,
        }
        return _json_bytes(manifest)

    # -- Linux ---------------------------------------------------------------------------------
    def linux_schema(self) -> bytes:
        properties: dict[str, Any] = {}
        for spec in self.specs:
            entry: dict[str, Any] = {"title": spec.label, "description": spec.help}
            entry.update(self._json_type(spec))
            entry["examples"] = [_plain(self.example(spec))]
            properties[spec.key] = entry
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"{APP_NAME} managed settings",
            "description": f"One file in {LINUX_MANAGED_DIR}/ (values locked for every user) or "
                           f"{LINUX_RECOMMENDED_DIR}/ (defaults the user may change): a JSON object mapping "
                           "setting keys to values. The files must be owned by root and not group- or "
                           "world-writable. Generated from Chorus's setting declarations.",
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
        }
        return _json_bytes(schema)

    def _json_type(self, spec: SettingSpec) -> dict[str, Any]:
        """The JSON Schema keywords of one setting's values (shared by the Linux schema and Jamf)."""
        fmt = self.format(spec)
        choices = [value for value, _ in spec.choices]
        keywords: dict[str, Any] = {"type": fmt.json_type}
        if fmt.json_type == "array":
            items: dict[str, Any] = {"type": "string"}
            if fmt.from_choices:
                items["enum"] = choices
            keywords["items"] = items
            keywords["uniqueItems"] = True
        elif fmt.from_choices:
            keywords["enum"] = choices
        if fmt.json_type == "integer":
            if spec.minimum is not None:
                keywords["minimum"] = spec.minimum
            if spec.maximum is not None:
                keywords["maximum"] = spec.maximum
        keywords["default"] = _plain(spec.default)
        return keywords

    # -- the IT guide --------------------------------------------------------------------------
    def settings_table(self) -> str:
        lines = ["| Key | Type | Default | What it does | Example |", "|---|---|---|---|---|"]
        for spec in self.specs:
            cells = [f"`{spec.key}`", _markdown(self.type_text(spec)), _code(_json(spec.default)),
                     _markdown(f"**{spec.label}.** {spec.help}"), _code(_json(self.example(spec)))]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def update_readme(self, text: str, source: str = "README-IT.md") -> str:
        """*text* with the part between the settings markers replaced by :meth:`settings_table`."""
        begin, end = text.find(README_BEGIN), text.find(README_END)
        if begin < 0 or end < begin or text.count(README_BEGIN) != 1 or text.count(README_END) != 1:
            raise TemplateError(f"{source}: expected one {README_BEGIN} line followed by one {README_END} line, "
                                "around the generated settings table")
        head = text[: begin + len(README_BEGIN)]
        return f"{head}\n{self.settings_table()}{text[end:]}"


_MANDATORY, _RECOMMENDED = "chorus", "chorus_recommended"  # the two top-level ADMX categories
_LEVELS = ((_MANDATORY, REGISTRY_KEY), (_RECOMMENDED, RECOMMENDED_KEY))


def _identifier(text: str) -> str:
    """An ADMX name or string id for *text* (letters, digits and underscores)."""
    return re.sub(r"[^A-Za-z0-9]", "_", text)


def _plain(value: Any) -> Any:
    """*value* with tuples as lists (what JSON, plists and the registry hold)."""
    return list(value) if isinstance(value, tuple) else value


def _json(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False)


def _code(text: str) -> str:
    return f"`{text.replace('|', '&#124;')}`"  # a pipe ends a table cell even inside a code span


def _markdown(text: str) -> str:
    """*text* safe in a Markdown table cell: no cell breaks, no line breaks, no HTML tags."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace(
        "\n", " ")


def _uuid(name: str) -> str:
    """A stable UUID for a profile payload: the same every time the profile is generated."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name)).upper()


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# -- the command ---------------------------------------------------------------------------------
REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO / "packaging" / "it"
DEFAULT_README = REPO / "packaging" / "README-IT.md"


def write(output: Path, readme: Path | None, templates: ItTemplates | None = None) -> list[Path]:
    """Write every template into *output* and rewrite *readme*'s settings table; return what changed."""
    templates = templates or ItTemplates()
    changed: list[Path] = []
    files = dict(templates.render())
    for relative, content in files.items():
        path = output / relative
        if not path.exists() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            changed.append(path)
    if readme is not None:
        old = readme.read_text(encoding="utf-8")
        new = templates.update_readme(old, str(readme))
        if new != old:
            readme.write_text(new, encoding="utf-8")
            changed.append(readme)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name if __spec__ else 'desktop.core.it_templates'}",
        description="Write the IT templates (ADMX/ADML, .mobileconfig, Jamf manifest, Linux JSON Schema) and the "
        "settings table of the IT guide from Chorus's setting declarations.")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                        help="folder for the templates (default: packaging/it of this source tree)")
    parser.add_argument("--readme", type=Path, default=DEFAULT_README, metavar="FILE",
                        help="the IT guide whose settings table is rewritten (default: packaging/README-IT.md)")
    parser.add_argument("--no-readme", action="store_true", help="leave the IT guide alone")
    args = parser.parse_args(argv)
    if args.output == DEFAULT_OUTPUT and not (REPO / "pyproject.toml").is_file():
        # an installed Chorus: the default would land in site-packages (beside the PyPI "packaging")
        print("Not a Chorus source tree: pass --output DIR (and --readme FILE or --no-readme).", file=sys.stderr)
        return 2
    readme = None if args.no_readme else args.readme
    if readme is not None and not readme.is_file():
        print(f"{readme}: no such file. Run this from a Chorus source tree, or pass --readme FILE or --no-readme.",
              file=sys.stderr)
        return 2
    try:
        changed = write(args.output, readme)
    except (TemplateError, OSError) as exc:
        print(f"IT templates not written: {exc}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print(f"{args.output}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
